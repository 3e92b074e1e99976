"""What the notebooks' workspaces answer beyond their cells, through the official SDK (run by
harness.py after the notebooks, with the same environment): `jobs.stream` of the AutoML
notebook's job (run history: its details and a log saying the code did not run), and
`online_endpoints.invoke` of the online-endpoint notebook's endpoint (a clear error: the emulator
does not run models). Prints PASS/FAIL lines; the last line is `N passed, M failed`.

    python extras.py SUBSCRIPTION AUTOML_SUFFIX JOB ENDPOINT_SUFFIX ENDPOINT REQUEST_FILE
"""
import contextlib
import io
import sys
import traceback

from azure.ai.ml import MLClient
from azure.identity import DefaultAzureCredential

sub, automl, job, online, endpoint, request_file = sys.argv[1:7]
credential = DefaultAzureCredential()
results = []


def check(name, fn):
    try:
        print(f"PASS  {name}: {fn()}")
        results.append(True)
    except Exception:  # noqa: BLE001 - every failure is reported
        print(f"FAIL  {name}")
        traceback.print_exc(limit=4)
        results.append(False)


def client(suffix):
    return MLClient(credential, sub, f"rg-dp100-{suffix}", f"mlw-dp100-{suffix}")


def stream():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        client(automl).jobs.stream(job)
    text = out.getvalue()
    assert f"RunId: {job}" in text and "does not execute code" in text, text
    return "the run's details, and the emulator says it did not execute code"


def invoke():
    from azure.core.exceptions import HttpResponseError

    try:
        client(online).online_endpoints.invoke(endpoint_name=endpoint, request_file=request_file)
    except HttpResponseError as e:
        assert "does not run models" in str(e), str(e)
        return f"HttpResponseError {e.status_code}: the emulator does not run models"
    raise AssertionError("a scoring request returned a prediction")


check("jobs.stream (run history)", stream)
check("online_endpoints.invoke (scoring URI)", invoke)
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
