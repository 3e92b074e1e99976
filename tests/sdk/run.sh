#!/usr/bin/env bash
# The official clients against `amlab serve --tls`, unmodified: azure-identity and azure-ai-ml
# (in a throwaway venv) use only the environment `amlab serve --env-file` writes (HTTPS_PROXY,
# the CA bundle, the emulated service principal). amlab itself, with the same environment and
# `--target azure`, creates the workspace lab first and checks it afterwards: everything goes
# through the proxy to the emulator, nothing to Azure. smoke.py also uploads for real through the
# blob data plane: a local folder as `Data`, a local file as `Model`, a `command` job's `code=`
# (startPendingUpload's SAS), and checks the upload SAS never reaches the request log.
# Prints `N passed, M failed`; exits
# non-zero on any failure (never skips).
#
# The Azure CLI (from PyPI, in a venv of its own) signs in as the service principal and reads
# what amlab created: `az login --service-principal`, `az group show`, `az resource show --ids`,
# `az rest`.
#
# Env: AMLAB_BIN (default: target/debug/amlab, built here), AMLAB_SDK_VENV, AMLAB_AZ_VENV (reuse
# venvs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
sdk_version="1.35.2"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

venv="${AMLAB_SDK_VENV:-$work/venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import azure.ai.ml, azure.identity" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "azure-ai-ml==$sdk_version" azure-identity >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; exit 3; }
fi

az_venv="${AMLAB_AZ_VENV:-$work/az-venv}"
if [ ! -x "$az_venv/bin/az" ]; then
  az_start=$(date +%s)
  python3 -m venv "$az_venv"
  "$az_venv/bin/pip" install --quiet --disable-pip-version-check azure-cli >"$work/pip-az.log" 2>&1 \
    || { cat "$work/pip-az.log" >&2; exit 3; }
  echo "   (azure-cli installed from PyPI: $(( $(date +%s) - az_start ))s)"
fi

bin="${AMLAB_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --quiet --locked)
  bin="$repo/target/debug/amlab"
fi

cd "$work"
# The server's stdout is read as it comes (a FIFO): its `environment:` line says the file is there.
mkfifo "$work/serve.out"
# A provisioning delay of 1 s (50 ms by default): a job then runs for 3.5 s, so that smoke.py's
# jobs.stream sees it running (the SDK polls run history every 2 s at first).
"$bin" serve --tls --addr 127.0.0.1:0 --provisioning-delay 1s --ca-out "$work/ca.pem" --env-file "$work/azure.env" \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
exec 3<"$work/serve.out"
started=""
while IFS= read -r -t 60 line <&3; do
  case "$line" in environment:*) started=1; break ;; esac
done
[ -n "$started" ] || { echo "amlab serve did not start" >&2; cat "$work/serve.err" >&2; exit 3; }
cat <&3 >/dev/null &
# shellcheck disable=SC1091
. "$work/azure.env"

lab="$repo/tests/data/labs/workspace.lab.yaml"
passed=0
failed=0
step() {
  local name="$1"; shift
  if "$@" >"$work/step.log" 2>&1; then
    passed=$((passed + 1)); echo "PASS  $name"
  else
    failed=$((failed + 1)); echo "FAIL  $name"; tail -20 "$work/step.log"
  fi
}
step "amlab run --target azure (through the proxy)" "$bin" --color never run "$lab" --target azure --var suffix=sdk001
start=$(date +%s)
if "$venv/bin/python" "$here/smoke.py" rg-dp100-sdk001 mlw-dp100-sdk001 >"$work/smoke.log" 2>&1; then :; fi
cat "$work/smoke.log"
line=$(tail -1 "$work/smoke.log")
if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
else
  failed=$((failed + 1)); echo "FAIL  smoke.py did not finish"
fi
echo "   (Python clients: $(( $(date +%s) - start ))s)"
step "amlab check --target azure (through the proxy)" "$bin" --color never check "$lab" --target azure --var suffix=sdk001
export AZURE_CONFIG_DIR="$work/az-config" AZURE_CORE_COLLECT_TELEMETRY=no
az="$az_venv/bin/az"
ws_id="/subscriptions/$AZURE_SUBSCRIPTION_ID/resourceGroups/rg-dp100-sdk001/providers/Microsoft.MachineLearningServices/workspaces/mlw-dp100-sdk001"
expect() { # expect WANT CMD...: CMD prints exactly WANT
  local want="$1"; shift
  local got; got="$("$@")" && [ "$got" = "$want" ] || { echo "got: $got (wanted $want)"; return 1; }
}
step "az login --service-principal" expect "$AZURE_SUBSCRIPTION_ID" \
  "$az" login --service-principal -u "$AZURE_CLIENT_ID" --password="$AZURE_CLIENT_SECRET" --tenant "$AZURE_TENANT_ID" --query "[0].id" -o tsv
step "az group show" expect rg-dp100-sdk001 "$az" group show -n rg-dp100-sdk001 --query name -o tsv
step "az resource show --ids" expect mlw-dp100-sdk001 "$az" resource show --ids "$ws_id" --query name -o tsv
step "az rest" expect mlw-dp100-sdk001 "$az" rest --method get --url "$ws_id?api-version=2025-12-01" --query name -o tsv
log_has() { "$venv/bin/python" - "$1" "$2" <<'PY'
import json, os, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
base = os.environ["ARM_CLOUD_METADATA_URL"].split("/metadata")[0]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
log = json.load(opener.open(base + "/_emulator/requests"))
want = (sys.argv[1], sys.argv[2])
sys.exit(0 if any((r["method"], r["path"]) == want for r in log) else 1)
PY
}
step "ARM was reached through the proxy" log_has CONNECT management.azure.com:443
step "Entra ID was reached through the proxy" log_has CONNECT login.microsoftonline.com:443
step "pypi.org was refused and logged" log_has CONNECT pypi.org:443

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
