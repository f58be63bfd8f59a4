// What a task (or a message) costs to keep, estimated as its JSON size in bytes: strings as
// UTF-8 (never less than V8 holds them in), numbers and literals as a few bytes, each key and
// bracket counted. Walked with an explicit stack, so metadata nested thousands deep cannot
// overflow the call stack, and only once per stored version.

/** The estimated JSON size of `value`, in bytes. */
export function approximateBytes(value: unknown): number {
  let bytes = 0
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') bytes += Buffer.byteLength(item) + 2
    else if (item === null || item === undefined || typeof item !== 'object') bytes += 8
    else if (ArrayBuffer.isView(item)) bytes += Math.ceil((item.byteLength * 4) / 3)
    else if (Array.isArray(item)) {
      bytes += 2 + item.length
      for (let i = 0; i < item.length; i++) pending.push(item[i])
    } else {
      bytes += 2
      for (const key in item) {
        bytes += key.length + 4
        pending.push((item as Record<string, unknown>)[key])
      }
    }
  }
  return bytes
}
