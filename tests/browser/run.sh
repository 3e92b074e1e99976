#!/usr/bin/env bash
# The HTML reports in a real browser: headless Chromium (Debian's `chromium`, installed here if
# missing) renders the learner's report (`--report html=`), with and without --reveal, and the
# class report (`grade --html`) of the grading benchmark's size (1,000 replayed submissions)
# plus submissions that cannot be checked. It asserts on the DOM Chromium dumps (the numbers
# shown are the gradebook's; hidden checks absent without --reveal; learner markup inert),
# prints the class page's size and render time, and saves screenshots (paths printed).
# Any failure fails the script (CI); nothing is skipped.
#
# Run: bash tests/browser/run.sh [LEARNERS]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
learners="${1:-1000}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "== apt-get install -y chromium"
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y chromium
fi

cargo build --quiet --bin amlab
amlab="$PWD/target/debug/amlab"
out="$PWD/target/browser"
rm -rf "$out" && mkdir -p "$out"
work="$(mktemp -d)"
profile="$(mktemp -d)"
trap 'rm -rf "$work" "$profile"' EXIT
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
browser() { # browser ARGS... FILE: headless Chromium, nothing from the network
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" 2>/dev/null
}
dom() { browser --dump-dom "file://$1"; }
shot() { browser --window-size=1280,1800 --screenshot="$2" "file://$1" >/dev/null; [ -s "$2" ] || fail "no screenshot $2"; echo "screenshot: $2"; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
hasnt() { ! grep -qF -- "$2" "$1" || fail "$1 shows: $2"; }

echo "== the learner's report: markup inert, visibility honoured"
cat > vis.lab.yaml <<'LAB'
id: vis
title: Visibility
pass_mark: "50%"
params:
  suffix: {default: vis}
steps:
  - id: rg
    title: Resource group
    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}"
    create: {body: {location: eastus, tags: {note: "<script>document.title='pwned'</script>", env: dev}}}
    expect:
      - title: full check
        query: location
        equals: SECRET-FULL
        hint: the region of the class
        points: 1
      - title: the note
        query: tags.note
        equals: fine
        points: 1
      - title: the tags
        query: tags
        equals: {env: prod, note: fine}
        points: 1
      - title: HIDDEN-TITLE
        query: location
        equals: SECRET-HIDDEN
        visibility: hidden
        hint: HIDDEN-HINT
        points: 1
      - title: the region
        query: location
        equals: eastus
        points: 4
LAB
"$amlab" run vis.lab.yaml --provisioning-delay 0 --report html=learner.html >/dev/null || true
[ -s learner.html ] || fail "no learner.html"
dom "$work/learner.html" > learner.dom
has learner.dom "<title>Visibility: amlab report</title>"
has learner.dom "&lt;script&gt;document.title='pwned'&lt;/script&gt;"
hasnt learner.dom "<script"
hasnt learner.dom "pwned</title>"
has learner.dom "SECRET-FULL"
has learner.dom "the region of the class"
has learner.dom 'class="diff"'
has learner.dom "1 hidden check (counted in the points)"
for s in HIDDEN-TITLE SECRET-HIDDEN HIDDEN-HINT; do hasnt learner.dom "$s"; done
has learner.dom '<td class="n" data-score="4">4/8</td>'
shot "$work/learner.html" "$out/learner.png"
"$amlab" check vis.lab.yaml --reveal --report html=revealed.html >/dev/null || true
dom "$work/revealed.html" > revealed.dom
for s in HIDDEN-TITLE SECRET-HIDDEN; do has revealed.dom "$s"; done

echo "== the class report: $learners replayed submissions and 3 that cannot be checked"
{
  printf 'id: bench-15\ntitle: Fifteen steps\nparams:\n  suffix: {default: "${random:6}"}\nsteps:\n'
  printf '  - id: rg\n    title: Resource group\n    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}"\n    create: {body: {location: eastus}}\n    expect:\n      - query: location\n        equals: eastus\n'
  for i in $(seq -w 0 13); do
    printf '  - id: st%s\n    title: Storage %s\n    needs: [rg]\n    points: 2\n    resource: "/subscriptions/${subscription}/resourceGroups/rg-${suffix}/providers/Microsoft.Storage/storageAccounts/st%s${suffix}"\n    create:\n      body: {location: eastus, kind: StorageV2, sku: {name: Standard_LRS}}\n    expect:\n      - query: kind\n        equals: StorageV2\n      - query: properties.provisioningState\n        equals: Succeeded\n' "$i" "$i" "$i"
  done
} > bench-15.lab.yaml
awk '/st07\$\{suffix\}"/{m=1} m && /kind: StorageV2/{sub(/kind: StorageV2/, "kind: Storage"); m=0} {print}' bench-15.lab.yaml > mistake.lab.yaml
grep -q "kind: Storage," mistake.lab.yaml || fail "mistake lab"
state=(--state state.json --provisioning-delay 0)
for spec in bench-15:ref001:reference mistake:mis001:mistake; do
  IFS=: read -r lab suffix rec <<<"$spec"
  "$amlab" run "$lab.lab.yaml" --var "suffix=$suffix" "${state[@]}" >/dev/null || true
  "$amlab" check bench-15.lab.yaml --var "suffix=$suffix" --record "rec/$rec" "${state[@]}" >/dev/null || true
done
for i in $(seq 0 $((learners - 1))); do
  from=reference; [ $((i % 10)) = 9 ] && from=mistake
  d="subs/$(printf 'learner-%04d' "$i")/bench-15"
  mkdir -p "$d" && cp "rec/$from/bench-15/check.json" "$d/check.json"
done
mkdir -p subs/zz-empty subs/zz-garbage subs/zz-markup
echo "suffix: [unclosed" > subs/zz-garbage/vars.yaml
echo "<b>not a submission</b>" > subs/zz-markup/notes.txt
"$amlab" grade bench-15.lab.yaml --submissions subs --gradebook grades.csv --html class.html --state state.json >/dev/null
bytes=$(stat -c %s class.html)
# Chromium's own start-up, measured on an empty page, is told apart from the report's rendering.
echo "<!DOCTYPE html><title>empty</title>" > empty.html
start=$(date +%s%N); dom "$work/empty.html" > /dev/null; empty_ms=$(( ($(date +%s%N) - start) / 1000000 ))
start=$(date +%s%N)
dom "$work/class.html" > class.dom
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "class report: $((learners + 3)) learners, $bytes bytes ($(awk "BEGIN{printf \"%.2f\", $bytes/1048576}") MiB); headless Chromium start, load and DOM dump: ${ms} ms (an empty page: ${empty_ms} ms)"

# The numbers shown are the gradebook's (CSV columns: learner,score,possible,percent,pass,could_not_check,...).
total=$(($(wc -l < grades.csv) - 1))
passed=$(awk -F, 'NR>1 && $5=="true"' grades.csv | wc -l)
unknown=$(awk -F, 'NR>1 && $6=="true"' grades.csv | wc -l)
[ "$unknown" = 3 ] || fail "expected 3 could-not-check rows, got $unknown"
has class.dom "id=\"n-learners\">$total<"
has class.dom "id=\"n-passed\">$passed<"
has class.dom "id=\"n-unknown\">$unknown<"
has class.dom "id=\"n-not-passed\">$((total - unknown - passed))<"
grep -o 'data-learner="[^"]*" data-score="[^"]*" data-percent="[^"]*" data-pass="[^"]*"' class.dom \
  | sed -E 's/data-learner="([^"]*)" data-score="([^"]*)" data-percent="([^"]*)" data-pass="([^"]*)"/\1,\2,\3,\4/' > shown.txt
awk -F, 'NR>1 {print $1","$2","$4","$5}' grades.csv > book.txt
diff -u book.txt shown.txt >/dev/null || { diff -u book.txt shown.txt | head -20; fail "learners table differs from grades.csv"; }
for b in $(seq 0 9); do
  n=$(awk -F, -v b="$b" 'NR>1 && $6=="false" {i=int($4/10); if (i>9) i=9; if (i==b) c++} END {print c+0}' grades.csv)
  has class.dom "data-bin=\"$b\">$n<"
done
for u in zz-empty zz-garbage zz-markup; do has class.dom "<tr data-learner=\"$u\">"; done
hasnt class.dom "<b>not a submission"
# The most-failed check first: st07's kind, failed by every 10th learner.
first=$(awk '/<table class="check-rates">/{f=1} f' class.dom | grep -m1 '^<tr><td><code>' || true)
echo "$first" | grep -q "<code>st07</code>" || fail "the most-failed check is not first: $first"
# One click away: following a learner's link opens (only) their folded detail.
opened=$(dom "$work/class.html#learner-3" | grep -c '<details open' || true)
[ "$opened" = 1 ] || fail "#learner-3 opened $opened details, expected 1"
shot "$work/class.html" "$out/class.png"
cp "$work/class.html" "$work/learner.html" "$out/"
echo "browser test passed; reports and screenshots in $out"
