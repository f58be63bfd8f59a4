// Express 5 serving the same route natively: a peer, beside raw node:http.

import { createServer } from 'node:http'
import express from 'express'
import { announce } from '../../../contender.ts'
import { HELLO_BODY, HELLO_PATH, HELLO_TYPE } from '../hello.ts'

const app = express()
app.get(HELLO_PATH, (_req, res) => {
  res.set('content-type', HELLO_TYPE).send(HELLO_BODY)
})
announce(createServer(app))
