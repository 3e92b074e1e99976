#!/usr/bin/env bash
# Validates the JUnit reports of the integration tests with xmllint against tests/data/junit.xsd:
# a second opinion on the Rust validator `cargo test` uses (tests/it/junit_schema.rs), which
# needs nothing but Rust. Run by .ci/run; needs xmllint (libxml2-utils).
set -euo pipefail
cd "$(dirname "$0")/../.."
keep="$(mktemp -d)"
trap 'rm -rf "$keep"' EXIT
AMLAB_JUNIT_KEEP="$keep" cargo test --quiet --test it -- reports::
n=0
for f in "$keep"/*.xml; do
  [ -e "$f" ] || continue
  xmllint --noout --schema tests/data/junit.xsd "$f"
  n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
  echo "tests/junit/xmllint.sh: no JUnit report was kept (AMLAB_JUNIT_KEEP)" >&2
  exit 1
fi
echo "xmllint: $n JUnit report(s) validate against tests/data/junit.xsd"
