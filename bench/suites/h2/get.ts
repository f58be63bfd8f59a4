// One GET over h2c with node:http2's client: each server is checked to answer HTTP/2 before its load.

import { connect } from 'node:http2'

export function getOverH2c(url: string): Promise<{ status: number; body: string }> {
  const { origin, pathname } = new URL(url)
  const session = connect(origin)
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    session.on('error', reject)
    const stream = session.request({ ':path': pathname })
    let status = 0
    let body = ''
    stream.setEncoding('utf8')
    stream.on('response', (headers) => (status = Number(headers[':status'])))
    stream.on('data', (chunk: string) => (body += chunk))
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
  }).finally(() => session.close())
}
