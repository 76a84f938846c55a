#!/usr/bin/env bash
# Runs checkov on the synthesized templates in its own virtual environment (.streamlake/, ignored).
# Skipped checks and their reasons: .checkov.yaml. Run after `cdk synth` (scripts/cfn-lint.sh does one).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.streamlake/venv-checkov
if [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'checkov>=3,<4'
fi
[ -f cdk.out/manifest.json ] || npx cdk synth --quiet >/dev/null 2>&1
# -d cdk.out scans its subdirectories too (cdk.out/avro and cdk.out/esm, as scripts/cfn-lint.sh synthesizes it)
# and the event source mapping variant (cdk.out/esm: provisioned pollers, Kafka on-failure destinations)
[ -f cdk.out/esm/manifest.json ] || npx cdk synth --quiet -c streamlake:onFailure=kafka -c streamlake:minimumPollers=2 -c streamlake:maximumPollers=20 -o cdk.out/esm >/dev/null 2>&1
# --skip-download: never contact the vendor platform for guidelines (no network here, none needed)
BC_SKIP_MAPPING=TRUE "$venv/bin/checkov" --config-file .checkov.yaml -d cdk.out --quiet --compact --skip-download
echo "checkov: no failed checks"
