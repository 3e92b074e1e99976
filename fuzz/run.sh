#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, starting from the committed seed
# corpus in fuzz/corpus/<target>/ (new inputs go to fuzz/target/fuzz-corpus/<target>/, not to the
# committed seeds). A crash stops with a non-zero exit and the input in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh 60                 # every target, 60 s each
#   fuzz/run.sh 600 lab_loader     # one target, 10 minutes
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer instrumentation needs unstable rustc
# flags: with a stable toolchain this sets RUSTC_BOOTSTRAP=1. The targets are safe Rust looking for
# panics (and integer overflows: built with debug assertions), so no sanitizer is used.
set -euo pipefail
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz/run.sh: cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
  exit 1
fi
export RUSTC_BOOTSTRAP=1
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi
flags=(--sanitizer none --debug-assertions)
echo "== fuzz: building ${#targets[@]} target(s)"
cargo fuzz build "${flags[@]}"
for target in "${targets[@]}"; do
  scratch="target/fuzz-corpus/$target"
  mkdir -p "$scratch" "corpus/$target"
  echo "== fuzz: $target for ${seconds}s"
  log="target/fuzz-$target.log"
  set +e
  cargo fuzz run "${flags[@]}" "$target" "$scratch" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [[ "$status" -ne 0 ]]; then
    tail -n 60 "$log" >&2
    echo "fuzz/run.sh: $target failed (exit $status); the input is in fuzz/artifacts/$target/" >&2
    exit "$status"
  fi
done
echo "== fuzz: ${#targets[@]} target(s) ran ${seconds}s each without a crash"
