// The shell line a `--command` server runs under. The runner signals the process it started, so
// the server must be that process, not a shell waiting for it: the line's last command is run
// with `exec`. A line of several steps (`cd app && python3 -m server`) keeps its first steps
// and execs only the last one; a plain `exec cd app && ...` would fail in the shell at once.

/** `sh -c` line for `command`: its last simple command replaced by the server process itself. */
export function execLast(command: string): string {
  const start = lastCommandStart(command)
  const head = command.slice(0, start)
  const last = command.slice(start).trimStart()
  // A pipeline's last command is not the server; leave such a line, and one that execs already, as written.
  if (last === '' || /^exec\s/.test(last) || hasUnquoted(last, '|')) return command
  return `${head}${head === '' || head.endsWith(' ') ? '' : ' '}exec ${last}`
}

/** Where the last command starts: after the last `&&`, `||`, `;` or newline outside quotes. */
function lastCommandStart(command: string): number {
  let start = 0
  let quote: string | null = null
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!
    if (quote !== null) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"') i++
      continue
    }
    if (c === "'" || c === '"') quote = c
    else if (c === '\\') i++
    else if (c === ';' || c === '\n') start = i + 1
    else if ((c === '&' || c === '|') && command[i + 1] === c) {
      start = i + 2
      i++
    }
  }
  return start
}

function hasUnquoted(text: string, char: string): boolean {
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote !== null) {
      if (c === quote) quote = null
      continue
    }
    if (c === "'" || c === '"') quote = c
    else if (c === char) return true
  }
  return false
}
