// The same answer from a tsgi app mounted in Express 5 with toExpress() at /api.

import { createServer } from 'node:http'
import express from 'express'
import { toExpress } from '../../../../src/embed/express.ts'
import { announce } from '../../../contender.ts'
import { hello } from '../../hello/hello.ts'

const mounted = toExpress(hello, { logger: false })
const app = express()
app.use('/api', mounted)
await mounted.startup()
announce(createServer(app))
