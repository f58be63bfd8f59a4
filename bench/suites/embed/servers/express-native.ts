// Express 5's own route: the baseline for express-tsgi.

import { createServer } from 'node:http'
import express from 'express'
import { announce } from '../../../contender.ts'
import { HELLO_BODY, HELLO_TYPE } from '../../hello/hello.ts'

const app = express()
app.get('/api/hello', (_req, res) => {
  res.set('content-type', HELLO_TYPE).send(HELLO_BODY)
})
announce(createServer(app))
