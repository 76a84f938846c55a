#!/usr/bin/env bash
# Synthesizes the CDK app (no credentials, no network) and runs cfn-lint on every template.
# cfn-lint is installed into a virtual environment under .streamlake/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.streamlake/venv-cfn-lint
if [ ! -x "$venv/bin/cfn-lint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'cfn-lint>=1,<2'
fi
rm -rf cdk.out
npx cdk synth --quiet >/dev/null 2>&1 || npx cdk synth --quiet
# the same app with sales deployed with Avro values (Glue Schema Registry), linted and scanned too
avro_out=cdk.out/avro
npx cdk synth --quiet -c streamlake:avroPipelines=sales -o "$avro_out" >/dev/null 2>&1 || npx cdk synth --quiet -c streamlake:avroPipelines=sales -o "$avro_out"
# the event source mapping variant (provisioned pollers, the mapping's metrics, a Kafka on-failure destination per pipeline), linted and scanned too
esm_out=cdk.out/esm
esm_ctx=(-c streamlake:onFailure=kafka -c streamlake:minimumPollers=2 -c streamlake:maximumPollers=20)
npx cdk synth --quiet "${esm_ctx[@]}" -o "$esm_out" >/dev/null 2>&1 || npx cdk synth --quiet "${esm_ctx[@]}" -o "$esm_out"
# W3005: DependsOn made redundant by a Ref is emitted by aws-cdk-lib's custom resource framework, not by us.
# exit status is a bit mask: 2 = errors, 4 = warnings, 8 = informational; fail on errors and warnings
status=0
"$venv/bin/cfn-lint" --ignore-checks W3005 -- cdk.out/*.template.json "$avro_out"/*.template.json "$esm_out"/*.template.json || status=$?
if [ $((status & 6)) -ne 0 ]; then echo "cfn-lint found problems (exit $status)"; exit 1; fi
echo "cfn-lint: $(ls cdk.out/*.template.json "$avro_out"/*.template.json "$esm_out"/*.template.json | wc -l) templates, no errors"
