// One page of ListTasks from tasks in memory: filtered as the A2A proto says (status timestamp
// "greater than or equal"), newest first, cut at `pageSize` tasks and at `maxPageBytes`, each
// task as the caller asked for it (no history unless `historyLength`, no artifacts unless
// `includeArtifacts`). The page token is the position of the last task sent, so a page
// continues where the previous one ended even when tasks were evicted in between; a token
// this store did not give is refused.

import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk'
import { RequestMalformedError } from '@a2a-js/sdk/errors'
import { approximateBytes } from './task-size.ts'

/** A page when the caller names none, and the most one list returns. */
export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100

interface Cursor {
  timestamp: string
  id: string
}

export function listPage(tasks: Iterable<Task>, params: ListTasksRequest, maxPageBytes: number): ListTasksResponse {
  const after = params.statusTimestampAfter ? Date.parse(params.statusTimestampAfter) : Number.NaN
  const matching: Task[] = []
  for (const task of tasks) {
    if (params.contextId && task.contextId !== params.contextId) continue
    if (params.status && task.status?.state !== params.status) continue
    if (!Number.isNaN(after) && !(Date.parse(task.status?.timestamp ?? '') >= after)) continue
    matching.push(task)
  }
  matching.sort((a, b) => compare(positionOf(a), positionOf(b)))
  const pageSize = Math.min(Math.max(params.pageSize || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
  let start = 0
  if (params.pageToken) {
    const cursor = decodeCursor(params.pageToken)
    while (start < matching.length && compare(positionOf(matching[start]!), cursor) <= 0) start++
  }
  const page: Task[] = []
  let bytes = 0
  let end = start
  for (; end < matching.length && page.length < pageSize; end++) {
    const copy = asListed(matching[end]!, params)
    const size = approximateBytes(copy)
    // At least one task per page, however large, so a client paging on always gets somewhere.
    if (page.length > 0 && bytes + size > maxPageBytes) break
    page.push(copy)
    bytes += size
  }
  const more = end < matching.length
  return {
    tasks: page,
    nextPageToken: more && page.length > 0 ? encodeCursor(positionOf(matching[end - 1]!)) : '',
    pageSize,
    totalSize: matching.length,
  }
}

/** The task as a list shows it: history only as far as asked, artifacts only when asked. */
function asListed(task: Task, params: ListTasksRequest): Task {
  const length = params.historyLength
  const history = length === undefined || length <= 0 ? [] : task.history.slice(-length)
  return { ...task, history, artifacts: params.includeArtifacts === true ? [...task.artifacts] : [] }
}

function positionOf(task: Task): Cursor {
  return { timestamp: task.status?.timestamp ?? '', id: task.id }
}

/** Newest first; ties by id, descending: the order pages follow. */
function compare(a: Cursor, b: Cursor): number {
  if (a.timestamp !== b.timestamp) return b.timestamp.localeCompare(a.timestamp)
  return b.id.localeCompare(a.id)
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.timestamp, cursor.id])).toString('base64url')
}

function decodeCursor(token: string): Cursor {
  let decoded: unknown
  try {
    decoded = /^[A-Za-z0-9_-]+$/.test(token) ? JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) : null
  } catch {
    decoded = null
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'string') {
    throw new RequestMalformedError('pageToken is not a token this agent gave; send the nextPageToken of the previous page')
  }
  return { timestamp: decoded[0], id: decoded[1] }
}
