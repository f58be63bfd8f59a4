// A worker's default task store under serve({ workers }): the tasks live in the primary (see
// primary-tasks.ts), so GetTask and ListTasks answer the same from every worker, and finished
// tasks outlive a reload and a crash. Bounded there as the one-process store is here.

import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk'
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server'

import { callPrimary } from '../cluster/link.ts'
import { A2A_SERVICE, type StoreLimits, type WorkerCall } from './cluster-wire.ts'
import { ownerOf } from './task-store.ts'

export class PrimaryTaskStore implements TaskStore {
  readonly #ns: string
  readonly #limits: StoreLimits

  constructor(ns: string, limits: StoreLimits) {
    this.#ns = ns
    this.#limits = limits
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    await this.#call({ op: 'save', ns: this.#ns, limits: this.#limits, owner: ownerOf(context), task })
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return (await this.#call({ op: 'load', ns: this.#ns, limits: this.#limits, owner: ownerOf(context), taskId })) as Task | undefined
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return (await this.#call({ op: 'list', ns: this.#ns, limits: this.#limits, owner: ownerOf(context), params })) as ListTasksResponse
  }

  #call(body: WorkerCall): Promise<unknown> {
    return callPrimary(A2A_SERVICE, body)
  }
}
