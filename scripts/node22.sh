#!/usr/bin/env bash
# Runs the processing core, the handlers and the bundled Lambda artifact on Node.js 22, the
# Lambda runtime's major version, whatever Node this machine has. Node 22 comes from the npm
# registry (node-linux-<arch>, the binary the `node` npm package installs) into .streamlake/.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node22.sh: no Node.js 22 build for $(uname -m)"; exit 1 ;;
esac
dir=.streamlake/node22
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-$arch@22" >/dev/null && tar xzf node-linux-"$arch"-*.tgz)
fi
node22="$dir/package/bin/node"
echo "running test/lambda on $("$node22" --version)"
"$node22" node_modules/jest/bin/jest.js test/lambda
