"""Executes the code cells of one Jupyter notebook, unmodified, in one namespace (as a kernel would).

Run by harness.py in a fresh interpreter per notebook, in a scratch copy of the notebook's
folder holding the config.json `amlab setup` wrote; the environment is the one `amlab serve
--env-file` wrote, nothing else.

    python cells.py NOTEBOOK SCOPE_JSON RESULT_JSON

Shell lines (`!cmd`, `%pip`, and IPython's automagic `pip ...`) are not Python: they are left out
(a cell of nothing else is not counted). `%%writefile [-a] PATH` cells are the cell magic every
DP-100 notebook uses to write its scripts: the body is written to PATH (with `$name` expanded
from the namespace), as IPython does. Every other cell is Python, executed as written.

SCOPE_JSON names the out-of-scope cells and the known-blocked ones (each with its reason). An
out-of-scope cell is not run. A known-blocked cell is run anyway: its failure is reported as
blocked with the reason, and if it passes it is reported as UNBLOCKED so the list is corrected.
Each cell has a time limit. RESULT_JSON receives the figures and the values of `check_vars`:
an expression is read from the namespace after the last cell, or, written as
`{ after = N, value = "expr" }`, right after cell N ran without an exception (a notebook that
reuses one variable for its three jobs, `returned_job`, names each of them this way).
"""
import contextlib
import io
import json
import re
import signal
import sys
import time
import traceback

CELL_SECONDS = 180


class CellTimeout(Exception):
    pass


def on_alarm(_signum, _frame):
    raise CellTimeout(f"the cell ran longer than {CELL_SECONDS}s")


def shell_line(line):
    s = line.lstrip()
    return s.startswith("!") or (s.startswith("%") and not s.startswith("%%")) or re.match(r"pip\s", s)


def writefile(first, body, ns):
    args = first.split()[1:]
    append = "-a" in args or "--append" in args
    path = [a for a in args if not a.startswith("-")][0]
    path = re.sub(r"\$(\w+)", lambda m: str(ns.get(m.group(1), m.group(0))), path)
    with open(path, "a" if append else "w", encoding="utf-8") as f:
        f.write(body)
    return f"wrote {path}"


def run_cell(source, ns):
    """Runs one cell; returns None when it had no Python (shell lines only)."""
    lines = source.splitlines(keepends=True)
    if lines and lines[0].startswith("%%writefile"):
        return writefile(lines[0], "".join(lines[1:]), ns)
    code = "".join(l for l in lines if not shell_line(l))
    if not code.strip():
        return None
    exec(compile(code, "<cell>", "exec"), ns)  # noqa: S102 - the notebook's own code
    return "ok"


def read_vars(scope, ns, values, after):
    """Reads the `check_vars` due after cell `after` (None: after the last cell) into `values`."""
    for name, spec in scope.get("check_vars", {}).items():
        at, expression = (spec.get("after"), spec["value"]) if isinstance(spec, dict) else (None, spec)
        if at != after:
            continue
        try:
            values[name] = str(eval(expression, ns))  # noqa: S307 - the scope file's own expression
        except Exception:  # noqa: BLE001 - a value the notebook did not produce is left out
            pass


def main():
    notebook, scope_path, result_path = sys.argv[1:4]
    scope = json.load(open(scope_path, encoding="utf-8"))
    out_of_scope = {int(k): v for k, v in scope.get("out_of_scope", {}).items()}
    blocked = {int(k): v for k, v in scope.get("blocked", {}).items()}
    cells = json.load(open(notebook, encoding="utf-8"))["cells"]
    ns = {"__name__": "__main__"}
    signal.signal(signal.SIGALRM, on_alarm)
    figures = {"in_scope": 0, "ran": 0, "passed": 0, "failed": 0, "blocked": 0,
               "unblocked": 0, "out_of_scope": 0, "shell": 0}
    started = time.monotonic()
    values = {}
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        if index in out_of_scope:
            figures["out_of_scope"] += 1
            print(f"  cell {index:>2}  OUT OF SCOPE  {out_of_scope[index]}")
            continue
        captured = io.StringIO()
        t0 = time.monotonic()
        signal.alarm(CELL_SECONDS)
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                outcome = run_cell(source, ns)
            error = None
        except BaseException as e:  # noqa: BLE001 - every failure is reported
            if isinstance(e, KeyboardInterrupt):
                raise
            outcome, error = "error", e
            trace = traceback.format_exc(limit=-4)
        finally:
            signal.alarm(0)
        took = time.monotonic() - t0
        if error is None:
            read_vars(scope, ns, values, index)
        if outcome is None:
            figures["shell"] += 1
            print(f"  cell {index:>2}  SHELL ONLY    (not Python: left out)")
            continue
        figures["in_scope"] += 1
        figures["ran"] += 1
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200] if error else ""
        if index in blocked:
            if error is None:
                figures["unblocked"] += 1
                print(f"  cell {index:>2}  UNBLOCKED     passes now: take it off the blocked list ({blocked[index]})")
                figures["passed"] += 1
            else:
                figures["blocked"] += 1
                print(f"  cell {index:>2}  BLOCKED       {blocked[index]}\n"
                      f"                 fails as known: {type(error).__name__}: {first}")
            continue
        if error is None:
            figures["passed"] += 1
            print(f"  cell {index:>2}  PASS  {took:5.1f}s")
        else:
            figures["failed"] += 1
            print(f"  cell {index:>2}  FAIL  {took:5.1f}s  {type(error).__name__}: {first}")
            print("".join("        | " + l + "\n" for l in trace.rstrip().splitlines()[-12:]))
            out = captured.getvalue().strip()
            if out:
                print("".join("        > " + l + "\n" for l in out.splitlines()[-5:]))
    figures["seconds"] = round(time.monotonic() - started, 1)
    read_vars(scope, ns, values, None)
    json.dump({"figures": figures, "vars": values}, open(result_path, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
