#!/usr/bin/env bash
# Renders every man page `amlab man [COMMAND]` prints with `man -l`, failing on any error or
# groff warning: the roff that clap_mangen generates must render, not only exist (the Rust
# test tests/it/shell.rs checks what the pages say). Run by .ci/run; needs man-db and groff-base.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build --quiet --locked
amlab=target/debug/amlab
pages=("")
while read -r name; do pages+=("$name"); done < <(
  "$amlab" man | sed -n '/^\.SH SUBCOMMANDS/,/^\.SH /s/^amlab\\-\(.*\)(1)$/\1/p' | grep -vx help
)
for name in "${pages[@]}"; do
  file="$out/amlab${name:+-$name}.1"
  "$amlab" man ${name:+"$name"} >"$file"
  # --warnings turns groff's warnings on; any of them, or an error, fails the page.
  if ! MANWIDTH=80 man --warnings -l "$file" >"$file.txt" 2>"$file.err" || [ -s "$file.err" ]; then
    echo "man -l $(basename "$file") failed:" >&2
    cat "$file.err" >&2
    exit 1
  fi
  grep -q "^NAME" "$file.txt" || { echo "$(basename "$file"): no NAME section rendered" >&2; exit 1; }
done
echo "man -l: ${#pages[@]} page(s) render without warnings"
