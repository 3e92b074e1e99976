#!/usr/bin/env bash
# Differential test: every az ml v2 spec in the shared corpus is converted by the official
# azure-ai-ml SDK (in a throwaway venv) and by `amlab spec`; the results must agree field for
# field (exceptions documented in sdk_to_rest.py `same()` and docs/src/differential.md). Prints per-file and
# per-kind results and `N passed, M failed`; exits non-zero on any mismatch.
#
# Env: AMLAB_CORPUS (default ../shared/corpus/azureml-examples next to the repo),
#      AMLAB_BIN (default: target/debug/amlab, built here), AMLAB_DIFF_VENV (reuse a venv),
#      AMLAB_DIFF_BLESS=1 with AMLAB_DIFF_EXPECTED (default tests/differential/expected): rewrite
#      the committed SDK output that tests/it/differential.rs checks without Python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${AMLAB_CORPUS:-$repo/../shared/corpus/azureml-examples}"
sdk_version="1.35.2"
[ -d "$corpus/cli" ] || { echo "corpus not found: $corpus" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$(date +%s)

venv="${AMLAB_DIFF_VENV:-$work/venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import azure.ai.ml" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "azure-ai-ml==$sdk_version" >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; exit 3; }
fi
installed=$(date +%s)

bin="${AMLAB_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --quiet --locked)
  bin="$repo/target/debug/amlab"
fi

# A scratch copy: the SDK's loaders require referenced local paths to exist; the script creates
# the ones the corpus does not ship (empty), and amlab reads the same copy.
cp -r "$corpus" "$work/corpus"
mkdir -p "$work/sdk" "$work/amlab"
"$venv/bin/python" "$here/sdk_to_rest.py" "$work/corpus" "$work/sdk" 2>"$work/sdk.log" \
  || { cat "$work/sdk.log" >&2; exit 3; }

while IFS= read -r rel; do
  out="$work/amlab/$rel.json"
  mkdir -p "$(dirname "$out")"
  if "$bin" --color never spec "$work/corpus/$rel" >"$work/o.json" 2>"$work/e.txt"; then
    "$venv/bin/python" -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump({"body": d["body"]}, open(sys.argv[2],"w"))' "$work/o.json" "$out"
  else
    "$venv/bin/python" -c 'import json,sys; json.dump({"error": open(sys.argv[1]).read()}, open(sys.argv[2],"w"))' "$work/e.txt" "$out"
  fi
done <"$work/specs.txt"

if [ -n "${AMLAB_DIFF_BLESS:-}" ]; then
  # Regenerate the expected JSON the Rust test checks (files that pass only).
  expected="${AMLAB_DIFF_EXPECTED:-$here/expected}"
  for rel in $(cat "$expected/FILES"); do
    dest="$expected/$(echo "$rel" | tr '/' '_').json"
    "$venv/bin/python" -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump(d["body"], open(sys.argv[2],"w"), indent=2, sort_keys=True); open(sys.argv[2],"a").write("\n")' "$work/sdk/$rel.json" "$dest"
  done
fi

set +e
"$venv/bin/python" "$here/sdk_to_rest.py" compare "$work/sdk" "$work/amlab"
status=$?
set -e
end=$(date +%s)
echo "differential: azure-ai-ml $sdk_version; venv+install $((installed - start))s, total $((end - start))s"
exit $status
