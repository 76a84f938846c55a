#!/usr/bin/env bash
# Builds versitygw (an S3-compatible gateway that stores plain files) with `go install` into
# .streamlake/bin, once. The S3 sink's integration test runs the processor against it.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${VERSITYGW_VERSION:-v1.8.0}"
bin="$PWD/.streamlake/bin"
if [ -x "$bin/versitygw" ] && [ -f "$bin/.versitygw-$version" ]; then echo "versitygw $version: already installed"; exit 0; fi
command -v go >/dev/null || { echo "streamlake: Go is needed to build the S3-compatible test server (versitygw): install Go 1.22+" >&2; exit 1; }
mkdir -p "$bin"
GOBIN="$bin" go install "github.com/versity/versitygw/cmd/versitygw@$version"
touch "$bin/.versitygw-$version"
echo "versitygw $version: $bin/versitygw"
