"""The DP-100 notebooks against `amlab serve --tls`, unmodified (run by tests/notebooks/run.sh).

For each notebook of scope.toml, in a scratch copy of its exercise folder:
  1. `amlab setup LAB --target URL --config config.json`: what the exercise's setup.sh creates;
  2. every code cell, in order, in a fresh interpreter (cells.py), with only the environment
     `amlab serve --env-file` wrote and that config.json;
  3. `amlab check LAB` with the names the notebook used (`--var`), every step but those the
     scope file lists as blocked (with the reason).
Prints, per notebook, the cells run / in scope and the time; then the totals, and the closing
line `N passed, M failed` (in-scope cells not known to be blocked, and the checks). Exits 1 if
anything in scope failed.

    python harness.py AMLAB_BIN SERVER_URL CA_PEM CORPUS_LABS WORK_DIR

AMLAB_NOTEBOOK_SCOPE names another scope file (default: scope.toml beside this script);
AMLAB_NOTEBOOK_ONLY runs only the notebooks whose file contains it (such as `03/`).
"""
import collections
import json
import os
import re
import shutil
import ssl
import urllib.request
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def amlab(binary, *args, cwd=None):
    started = time.monotonic()
    done = subprocess.run([binary, "--color", "never", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    return done, time.monotonic() - started


def server_log(url, ca, since):
    """The server's request log after `since` (read directly, not through the proxy)."""
    context = ssl.create_default_context(cafile=ca)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    return json.load(opener.open(f"{url}/_emulator/requests?since={since}", timeout=30))


def operation(method, path):
    """A request as an operation: the method and the resource type (names and ids left out)."""
    if method == "CONNECT":
        host = path.rsplit(":", 1)[0]
        return f"CONNECT {re.sub(r'^[^.]+[.](?=.*[.].*[.])', '*.', host)}"
    path = path.split("?", 1)[0]
    parts = [p for p in path.split("/") if p]
    if parts and parts[0].startswith("azureml-blobstore-"):
        return f"{method} blob in the workspace's azureml-blobstore-* container"
    if parts and re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-z]+$", parts[0]):
        return f"{method} blob in a code asset's upload container (startPendingUpload)"
    if "providers" not in [p.lower() for p in parts]:
        if parts and parts[0].lower() == "subscriptions":
            kinds = parts[2::2]
            return f"{method} subscriptions/" + "/".join(kinds) if kinds else f"{method} subscriptions"
        return f"{method} /{'/'.join(parts[1:]) if re.match(r'^[0-9a-f-]{36}$', parts[0] if parts else '') else '/'.join(parts)}"
    at = [p.lower() for p in parts].index("providers")
    rest = parts[at + 1:]
    kinds = [rest[0]] + rest[1::2]
    if rest[0].lower() == "microsoft.machinelearningservices" and len(rest) > 2 and rest[1] == "locations":
        kinds = [rest[0], "locations", rest[3]]
    return f"{method} {'/'.join(kinds)}"


def show_tail(text, lines=25):
    for line in text.rstrip().splitlines()[-lines:]:
        print("      " + line)


def notebook(entry, binary, url, ca, corpus, work):
    folder = Path(entry["file"]).parent
    name = entry["file"]
    lab = str(REPO / "labs" / "dp100" / entry["lab"])
    target = ["--target", url, "--ca-cert", ca]
    names = [f"suffix={entry['suffix']}"]
    print(f"== {name}  (lab {entry['lab']}, --var {' --var '.join(names)})")
    here = (Path(work) / entry["suffix"]).resolve()
    shutil.copytree(Path(corpus) / folder, here)
    setup, setup_s = amlab(binary, "setup", lab, *target, *sum((["--var", n] for n in names), []),
                           "--config", str(here / "config.json"))
    if setup.returncode != 0:
        print(f"  FAIL  amlab setup (exit {setup.returncode})")
        show_tail(setup.stdout + setup.stderr)
        return {"name": name, "cells": None, "check": False, "setup": False, "requests": []}
    print(f"  amlab setup: {setup_s:.1f}s, wrote config.json")
    scope = {k: entry.get(k, {}) for k in ("out_of_scope", "blocked", "check_vars")}
    (here / ".scope.json").write_text(json.dumps(scope))
    since = server_log(url, ca, 0)[-1]["seq"]
    result = here / ".result.json"
    nb = here / Path(entry["file"]).name
    subprocess.run([sys.executable, str(HERE / "cells.py"), str(nb), str(here / ".scope.json"),
                    str(result)], cwd=here, timeout=3600)
    outcome = json.loads(result.read_text()) if result.exists() else None
    if outcome is None:
        print("  FAIL  the cells did not finish")
        return {"name": name, "cells": None, "check": False, "setup": True, "requests": []}
    f = outcome["figures"]
    requests = server_log(url, ca, since)
    print(f"  cells: {f['passed']} run without an exception / {f['in_scope']} in scope"
          f" ({f['failed']} failed, {f['blocked']} known-blocked, {f['out_of_scope']} out of scope,"
          f" {f['shell']} shell-only), {f['seconds']}s")
    check_vars = names + [f"{k}={v}" for k, v in outcome["vars"].items()]
    steps = []
    blocked_steps = entry.get("blocked_steps", {})
    for step, why in blocked_steps.items():
        print(f"  check: step {step} BLOCKED  {why}")
    if blocked_steps:
        steps = [s for s in lab_steps(lab) if s not in blocked_steps]
    check, check_s = amlab(binary, "check", lab, *target,
                           *sum((["--var", v] for v in check_vars), []),
                           *sum((["--step", s] for s in steps), []))
    passed = check.returncode == 0
    print(f"  amlab check --var {' --var '.join(check_vars)}: "
          f"{'PASS' if passed else 'FAIL'} (exit {check.returncode}), {check_s:.1f}s")
    if not passed:
        show_tail(check.stdout + check.stderr)
    return {"name": name, "cells": f, "check": passed, "setup": True, "requests": requests,
            "suffix": entry["suffix"], "vars": outcome["vars"], "folder": str(here)}


def lab_steps(lab):
    """The step ids of a lab file, in order (the `  - id:` lines of its steps list)."""
    steps, inside = [], False
    for line in Path(lab).read_text(encoding="utf-8").splitlines():
        if line.startswith("steps:"):
            inside = True
        elif inside and line.startswith("  - id:"):
            steps.append(line.split(":", 1)[1].strip())
    return steps


def main():
    binary, url, ca, corpus, work = sys.argv[1:6]
    scope_file = Path(os.environ.get("AMLAB_NOTEBOOK_SCOPE", HERE / "scope.toml"))
    scope = tomllib.loads(scope_file.read_text(encoding="utf-8"))
    only = os.environ.get("AMLAB_NOTEBOOK_ONLY", "")
    entries = [e for e in scope["notebook"] if only in e["file"]]
    if not entries:
        sys.exit(f"no notebook of {scope_file} matches AMLAB_NOTEBOOK_ONLY={only!r}")
    started = time.monotonic()
    results = [notebook(e, binary, url, ca, corpus, work) for e in entries]
    print("\n== figures (cells run without an exception / in scope; known-blocked and failed"
          " are in scope and not run through)")
    passed = failed = 0
    for r in results:
        f = r["cells"]
        if f is None:
            failed += 1
            print(f"  {r['name']}: did not run")
            continue
        passed += f["passed"] + (1 if r["check"] else 0)
        failed += f["failed"] + (0 if r["check"] else 1)
        print(f"  {r['name']}: {f['passed']}/{f['in_scope']} cells, {f['blocked']} known-blocked,"
              f" {f['failed']} failed, {f['out_of_scope']} out of scope; {f['seconds']}s;"
              f" amlab check {'passed' if r['check'] else 'FAILED'}")
    print(f"  all notebooks: {time.monotonic() - started:.0f}s")
    answered = collections.defaultdict(collections.Counter)
    for r in results:
        for q in r["requests"]:
            answered[operation(q["method"], q["path"])][q["status"]] += 1
    accepted = sorted(op for op, st in answered.items() if any(200 <= s < 400 for s in st))
    total = sum(sum(st.values()) for st in answered.values())
    print(f"\n== what the notebooks' cells sent: {total} requests, {len(accepted)} distinct operations"
          " accepted (method and resource type; status counts)")
    for op in sorted(answered):
        counts = ", ".join(f"{s}x{n}" for s, n in sorted(answered[op].items()))
        print(f"  {op}  [{counts}]")
    extras = extra_checks(results)
    if extras is not None:
        passed += extras[0]
        failed += extras[1]
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


def extra_checks(results):
    """extras.py on the AutoML notebook's job and the online-endpoint notebook's endpoint."""
    by_name = {r["name"]: r for r in results}
    automl = by_name.get("06/Classification with Automated Machine Learning.ipynb")
    online = by_name.get("11/Deploy to online endpoint.ipynb")
    if not automl or not online:
        print("\n== extras.py not run: the scope has not both the AutoML and the online-endpoint notebooks")
        return None
    if "job" not in automl.get("vars", {}) or "endpoint" not in online.get("vars", {}):
        print("\n== FAIL  extras.py: the notebooks made no job or endpoint to read")
        return (0, 1)
    print("\n== beyond the cells, through the SDK (extras.py)")
    done = subprocess.run([sys.executable, str(HERE / "extras.py"), os.environ["AZURE_SUBSCRIPTION_ID"],
                           automl["suffix"], automl["vars"]["job"], online["suffix"],
                           online["vars"]["endpoint"], str(Path(online["folder"]) / "sample-data.json")],
                          capture_output=True, text=True, timeout=600)
    print(done.stdout.rstrip())
    last = (done.stdout.strip().splitlines() or [""])[-1]
    m = re.match(r"^(\d+) passed, (\d+) failed$", last)
    if not m:
        print(done.stderr[-3000:])
        return (0, 1)
    return (int(m.group(1)), int(m.group(2)))


if __name__ == "__main__":
    main()
