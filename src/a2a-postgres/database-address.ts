// What a message may say about the database: where it is (host, port, database) and never its
// password, even when a driver echoes the connection string back in an error.

import type { PostgresTasksConfig } from './options.ts'

/** Where the database is, for messages: host, port and database, never the password. */
export function databaseTarget(config: PostgresTasksConfig): string {
  const options = config.pool?.options
  if (options !== undefined && options.connectionString === undefined) {
    return `${options.host ?? 'localhost'}:${options.port ?? 5432}/${options.database ?? ''}`
  }
  try {
    const url = new URL(options?.connectionString ?? config.connectionString ?? '')
    return `${url.hostname}:${url.port || 5432}${url.pathname}`
  } catch {
    return 'the configured address'
  }
}

/** `message` with the password (if one is configured) blotted out, in case a driver echoed it. */
export function withoutPassword(config: PostgresTasksConfig, message: string): string {
  const secrets: string[] = []
  const options = config.pool?.options
  if (typeof options?.password === 'string' && options.password !== '') secrets.push(options.password)
  try {
    const url = new URL(options?.connectionString ?? config.connectionString ?? '')
    if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password))
  } catch {
    // not a URL: nothing to find in it
  }
  return secrets.reduce((text, secret) => text.split(secret).join('***'), message)
}
