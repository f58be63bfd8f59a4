// The status a survivor gives a task whose replica stopped renewing its lease (SIGKILLed, cut
// off): FAILED, with a message a client can show, since no one is running it any more.

import { randomUUID } from 'node:crypto'
import { Role, TaskState, type Task, type TaskStatus } from '@a2a-js/sdk'

export const REPLICA_STOPPED = 'the replica running this task stopped'

export function replicaStoppedStatus(task: Task): TaskStatus {
  return {
    state: TaskState.TASK_STATE_FAILED,
    message: {
      messageId: randomUUID(),
      contextId: task.contextId,
      taskId: task.id,
      role: Role.ROLE_AGENT,
      parts: [{ content: { $case: 'text' as const, value: REPLICA_STOPPED }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
      metadata: {},
      extensions: [],
      referenceTaskIds: [],
    },
    timestamp: new Date().toISOString(),
  }
}
