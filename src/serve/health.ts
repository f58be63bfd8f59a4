// Kubernetes-style probes answered before the app sees the request: /livez says the process
// runs, /readyz says it takes traffic (200 only while running, 503 while starting or draining).

import type { IncomingMessage, ServerResponse } from 'node:http'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63) /* ? */
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, text: string, draining: AbortSignal): void {
  // A probe answered during the drain closes its socket, as the bridge's responses do.
  if (draining.aborted) res.shouldKeepAlive = false
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(req.method === 'HEAD' ? undefined : text)
}

export function withHealth(
  next: Listener,
  paths: { live: string; ready: string },
  draining: AbortSignal,
  isReady: () => boolean,
): Listener {
  return function healthOrApp(req, res) {
    const url = req.url ?? ''
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (isPath(url, paths.live)) return answer(req, res, 200, 'live', draining)
      if (isPath(url, paths.ready))
        return isReady() ? answer(req, res, 200, 'ready', draining) : answer(req, res, 503, 'not ready', draining)
    }
    next(req, res)
  }
}
