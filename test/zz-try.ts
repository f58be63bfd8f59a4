import { startPostgres } from './support/postgres.ts'
const p = await startPostgres()
console.log(p.url)
await new Promise((r) => setTimeout(r, 600_000))
