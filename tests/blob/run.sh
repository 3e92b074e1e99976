#!/usr/bin/env bash
# The blob data plane, differential: the same azure-storage-blob session (tests/blob/ops.py) runs
# (a) against `amlab serve --tls` through its proxy, on a storage account created through ARM,
# with the account key from listKeys, and (b) against Azurite (npm, on a local port, the same
# account name and key), and the observations must agree (tests/blob/compare.py; known
# departures of Azurite from Azure are listed there). Then the serve log and the served
# `/_emulator/requests` must not contain the key or any SAS signature.
#
# Env: AMLAB_BIN (default: target/debug/amlab, built here), AMLAB_BLOB_VENV (reuse a venv),
# AMLAB_AZURITE_DIR (reuse an `npm install azurite` directory).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

venv="${AMLAB_BLOB_VENV:-$work/venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import azure.storage.blob, azure.identity" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check azure-storage-blob azure-identity requests >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; exit 3; }
fi
azurite_dir="${AMLAB_AZURITE_DIR:-$work/azurite}"
if [ ! -x "$azurite_dir/node_modules/.bin/azurite-blob" ]; then
  mkdir -p "$azurite_dir"
  (cd "$azurite_dir" && npm install --silent --no-audit --no-fund azurite >"$work/npm.log" 2>&1) \
    || { cat "$work/npm.log" >&2; exit 3; }
fi
bin="${AMLAB_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --quiet --locked)
  bin="$repo/target/debug/amlab"
fi

cd "$work"
mkfifo serve.out
"$bin" serve --tls --addr 127.0.0.1:0 --ca-out ca.pem --env-file azure.env >serve.out 2>serve.err &
pids+=($!)
exec 3<serve.out
started=""
while IFS= read -r -t 60 line <&3; do
  case "$line" in environment:*) started=1; break ;; esac
done
[ -n "$started" ] || { echo "amlab serve did not start" >&2; cat serve.err >&2; exit 3; }
cat <&3 >serve.stdout &
account=stblobdiff
(
  # shellcheck disable=SC1091
  . ./azure.env
  "$venv/bin/python" "$here/setup.py" "$account" key.txt
  BLOB_ACCOUNT_URL="https://$account.blob.core.windows.net" BLOB_ACCOUNT="$account" BLOB_KEY="$(cat key.txt)" \
    "$venv/bin/python" "$here/ops.py" >amlab.json 2>amlab.err || { cat amlab.err >&2; exit 1; }
)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AZURITE_ACCOUNTS="$account:$(cat key.txt)" "$azurite_dir/node_modules/.bin/azurite-blob" \
  --blobHost 127.0.0.1 --blobPort "$port" --inMemoryPersistence --skipApiVersionCheck --silent >azurite.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then break; fi
  sleep 0.2
done
BLOB_ACCOUNT_URL="http://127.0.0.1:$port/$account" BLOB_ACCOUNT="$account" BLOB_KEY="$(cat key.txt)" \
  "$venv/bin/python" "$here/ops.py" >azurite.json 2>azurite.err || { cat azurite.err >&2; exit 1; }

status=0
"$venv/bin/python" "$here/compare.py" amlab.json azurite.json || status=1

# No key, no SAS signature in what the server logged or printed.
(
  # shellcheck disable=SC1091
  . ./azure.env
  "$venv/bin/python" - "$(cat key.txt)" <<'PY'
import json, os, ssl, sys, urllib.request
key = sys.argv[1]
ctx = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
base = os.environ["ARM_CLOUD_METADATA_URL"].split("/metadata")[0]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
log = json.load(opener.open(base + "/_emulator/requests"))
sas = [r["path"] for r in log if "sig=" in r["path"]]
leaks = [p for p in sas if "sig=REDACTED" not in p]
texts = [open(f, encoding="utf-8", errors="replace").read() for f in ("serve.err", "serve.stdout")]
assert sas, "no SAS request was logged"
assert not leaks, f"{len(leaks)} logged SAS paths keep their signature"
assert not any(key in t for t in texts + [json.dumps(log)]), "the account key was logged"
print(f"PASS  {len(sas)} logged SAS requests, every signature REDACTED; the key appears nowhere")
PY
) || status=1
exit $status
