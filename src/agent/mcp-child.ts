// agent()'s `mcp` option: the options of an mcpApp it builds, or an app built beforehand
// (mcpApp or mcpServerApp, the v2 SDK's). agent()'s allowedHosts, cors and auth protect either:
// a built app takes the ones it has no setting of its own for. An app that cannot take them
// (any other App) is refused when they are set, rather than served unprotected.

import { mcpApp, type McpAppOptions } from '../mcp/app.ts'
import { InvalidArgumentError } from '../protocol/errors.ts'
import type { App } from '../protocol/types.ts'
import { ADOPT_SHARED_OPTIONS, adoptsSharedOptions, givenSharedOptions, type SharedAppOptions } from '../sdk/shared-options.ts'

/** The MCP child of an agent: built here from options, or the built app with the shared protections adopted. */
export function mcpChild(
  value: McpAppOptions | App | undefined,
  shared: SharedAppOptions & { logDetails?: boolean },
  transport: string,
): App {
  if (value === undefined || value === null) throw new InvalidArgumentError(`agent() transport '${transport}' needs the 'mcp' option`)
  if (typeof value !== 'function') return mcpApp({ ...shared, ...value })
  if (adoptsSharedOptions(value)) {
    value[ADOPT_SHARED_OPTIONS](shared)
    return value
  }
  const given = givenSharedOptions(shared)
  if (given.length > 0) {
    throw new InvalidArgumentError(
      `agent() cannot apply ${given.join(', ')} to the app passed as 'mcp' (it is neither an mcpApp nor an mcpServerApp); set them on that app instead`,
    )
  }
  return value
}

/** stdio serves the v1 SDK's server from options; a built HTTP app has no stdio face. */
export function stdioOptions(value: McpAppOptions | App | undefined): McpAppOptions {
  if (value === undefined || value === null) throw new InvalidArgumentError("agent() transport 'stdio' needs the 'mcp' option")
  if (typeof value === 'function') {
    throw new InvalidArgumentError("agent() transport 'stdio' needs mcp options ({ server }), not a built app: a built app serves HTTP")
  }
  return value
}
