#!/usr/bin/env bash
# Installs the peer the benchmark compares against: the Azure CLI (`az`), from PyPI, into a
# throwaway virtual environment under target/ (nothing outside the repository is touched).
# Prints the path of the `az` executable on its last line. Idempotent: an existing install is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="target/peers/az-venv"
if [[ ! -x "$venv/bin/az" ]]; then
  python="${PYTHON:-python3}"
  command -v "$python" >/dev/null || { echo "peers-setup: no $python on PATH" >&2; exit 1; }
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check azure-cli >&2
fi
"$venv/bin/az" version >/dev/null 2>&1 || { echo "peers-setup: az does not run" >&2; exit 1; }
echo "$PWD/$venv/bin/az"
