"""The official Python clients against `amlab serve --tls`, configured only by its --env-file.

Run by tests/sdk/run.sh after the workspace lab was created in the served emulator. Each check
prints PASS/FAIL; the last line is `N passed, M failed`; the exit status is 1 on any failure.
"""
import os
import sys
import traceback

RG = sys.argv[1]
WORKSPACE = sys.argv[2]
results = []


def check(name, fn):
    try:
        detail = fn()
        results.append(True)
        print(f"PASS  {name}: {detail}")
    except Exception:  # noqa: BLE001 - every failure is reported, none is fatal
        results.append(False)
        print(f"FAIL  {name}")
        traceback.print_exc(limit=3)


from azure.identity import DefaultAzureCredential  # noqa: E402

credential = DefaultAzureCredential()


def token():
    t = credential.get_token("https://management.azure.com/.default")
    assert t.token.count(".") == 2 and t.expires_on > 0
    return "DefaultAzureCredential (EnvironmentCredential) signed in"


check("azure-identity token", token)

from azure.ai.ml import MLClient  # noqa: E402

ml = MLClient(credential, os.environ["AZURE_SUBSCRIPTION_ID"], RG, WORKSPACE)


def workspace():
    ws = ml.workspaces.get(WORKSPACE)
    assert ws.name == WORKSPACE, ws.name
    assert ws.storage_account.endswith("/storageAccounts/stdp100sdk001"), ws.storage_account
    return f"{ws.name} in {ws.location}"


def datastores():
    names = sorted(d.name for d in ml.datastores.list())
    assert "workspaceblobstore" in names, names
    return ", ".join(names)


def workspaces_in_group():
    names = [w.name for w in ml.workspaces.list()]
    assert names == [WORKSPACE], names
    return ", ".join(names)


def missing_workspace_is_resource_not_found():
    from azure.core.exceptions import ResourceNotFoundError

    try:
        ml.workspaces.get("no-such-workspace")
    except ResourceNotFoundError as e:
        return f"ResourceNotFoundError ({e.error.code if e.error else ''})"
    raise AssertionError("a missing workspace was found")


def other_hosts_are_refused():
    import requests

    try:
        requests.get("https://pypi.org/simple/", timeout=20)
    except requests.exceptions.ProxyError as e:
        return "pypi.org refused by the proxy"
    raise AssertionError("a request to pypi.org got through")


def msal_user_and_refresh():
    import msal

    app = msal.PublicClientApplication(
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",  # the Azure CLI's public client
        authority=f"https://login.microsoftonline.com/{os.environ['AZURE_TENANT_ID']}",
    )
    scopes = ["https://management.core.windows.net//.default"]
    first = app.acquire_token_by_username_password(
        os.environ["AZURE_USERNAME"], os.environ["AZURE_PASSWORD"], scopes=scopes
    )
    assert "access_token" in first, first.get("error_description")
    account = app.get_accounts()[0]
    again = app.acquire_token_silent(scopes, account=account, force_refresh=True)
    assert again and "access_token" in again and again["access_token"] != first["access_token"]
    return f"{account['username']} signed in, then refreshed"


def blobstore_container():
    store = ml.datastores.get_default()
    assert store.name == "workspaceblobstore", store.name
    ws = ml.workspaces.get(WORKSPACE)
    assert store.container_name.startswith("azureml-blobstore-"), store.container_name
    from azure.storage.blob import BlobServiceClient

    key = ml.datastores._list_secrets(store.name).key
    svc = BlobServiceClient(f"https://{store.account_name}.blob.core.windows.net", credential=key)
    names = [c.name for c in svc.list_containers()]
    assert store.container_name in names, names
    return f"{store.container_name} in {store.account_name} ({ws.name})"


def local_data_upload():
    import pathlib
    import tempfile

    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Data

    folder = pathlib.Path(tempfile.mkdtemp()) / "diabetes"
    folder.mkdir()
    (folder / "diabetes.csv").write_text("Pregnancies,Glucose\n0,171\n8,92\n")
    (folder / "more.csv").write_text("Pregnancies,Glucose\n1,85\n")
    data = ml.data.create_or_update(
        Data(name="diabetes-local", path=str(folder), type=AssetTypes.URI_FOLDER, description="local folder")
    )
    assert data.version.isdigit(), data.version
    assert data.path.startswith("azureml://"), data.path
    # The files are in the workspace's blob store, where the data asset's path says.
    store = ml.datastores.get_default()
    from azure.storage.blob import BlobServiceClient

    key = ml.datastores._list_secrets(store.name).key
    container = BlobServiceClient(f"https://{store.account_name}.blob.core.windows.net", credential=key).get_container_client(store.container_name)
    rel = data.path.split("/paths/", 1)[1].rstrip("/")
    blobs = sorted(b.name for b in container.list_blobs(name_starts_with=rel))
    assert [b.rsplit("/", 1)[1] for b in blobs] == ["diabetes.csv", "more.csv"], blobs
    body = container.download_blob(f"{rel}/diabetes.csv").readall()
    assert body.startswith(b"Pregnancies"), body
    return f"{data.name}:{data.version} at {data.path} ({len(blobs)} blobs)"


def local_model_upload():
    import pathlib
    import tempfile

    from azure.ai.ml.entities import Model

    f = pathlib.Path(tempfile.mkdtemp()) / "model.pkl"
    f.write_bytes(b"\x80\x04not really a model")
    model = ml.models.create_or_update(Model(name="diabetes-model-local", path=str(f), type="custom_model"))
    assert model.path.startswith("azureml://"), model.path
    return f"{model.name}:{model.version} at {model.path}"


def code_job():
    import pathlib
    import tempfile

    from azure.ai.ml import command
    from azure.ai.ml.entities import AmlCompute, Environment
    from azure.ai.ml.entities._assets import Code

    ml.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", size="STANDARD_DS11_V2", max_instances=2)).result()
    src = pathlib.Path(tempfile.mkdtemp()) / "src"
    src.mkdir()
    (src / "train.py").write_text("print('training')\n")
    env = Environment(image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest")
    job = ml.jobs.create_or_update(
        command(code=str(src), command="python train.py", environment=env, compute="cpu-cluster", display_name="code-upload")
    )
    assert "/codes/" in job.code and job.code.endswith("/versions/1"), job.code
    # The same folder again: found by its hash, not uploaded a second time.
    again = ml._code.create_or_update(Code(path=str(src)))
    assert job.code.lower().endswith(f"/codes/{again.name}/versions/{again.version}".lower()), (job.code, again.id)
    assert again.path.startswith("https://stdp100sdk001.blob.core.windows.net/"), again.path
    from azure.storage.blob import ContainerClient

    store = ml.datastores.get_default()
    key = ml.datastores._list_secrets(store.name).key
    container_url, folder = again.path.rstrip("/").rsplit("/", 1)
    uploaded = ContainerClient.from_container_url(container_url, credential=key)
    body = uploaded.download_blob(f"{folder}/train.py").readall()
    assert body == b"print('training')\n", body
    return f"job {job.name} runs code {again.name}:{again.version} from {again.path}"


def code_sas_is_scrubbed():
    # The SAS startPendingUpload answered is in the issued secrets, never in the request log.
    import json
    import ssl
    import urllib.request

    ctx = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    base = os.environ["ARM_CLOUD_METADATA_URL"].split("/metadata")[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
    log = json.load(opener.open(base + "/_emulator/requests"))
    sas_paths = [r["path"] for r in log if "sig=" in r["path"]]
    assert sas_paths, "no SAS request was logged"
    assert all("sig=REDACTED" in p for p in sas_paths), [p for p in sas_paths if "sig=REDACTED" not in p][:1]
    secrets = json.load(opener.open(base + "/_emulator/secrets"))
    assert any("sig=" in s for s in secrets), "the upload SAS was not recorded as a secret"
    return f"{len(sas_paths)} SAS requests logged, signatures redacted"


def workspace_from_template():
    # begin_create submits the SDK's own ARM template (workspace_base.json) as a
    # Microsoft.Resources/deployments PUT, polls it and prints progress from its operations; the
    # emulator evaluates the template and creates each resource through its own handlers.
    from azure.ai.ml.entities import Workspace

    name = "mlw-sdk-template"
    ws = ml.workspaces.begin_create(Workspace(name=name, location="eastus", description="from the SDK template")).result()
    assert ws.name == name, ws.name
    for ref, kind in [
        (ws.storage_account, "/Microsoft.Storage/storageAccounts/"),
        (ws.key_vault, "/Microsoft.KeyVault/vaults/"),
        (ws.application_insights, "/Microsoft.Insights/components/"),
    ]:
        assert ref and kind in ref, (kind, ref)
    again = ml.workspaces.get(name)
    assert again.description == "from the SDK template", again.description
    return f"{name} with {ws.storage_account.rsplit('/', 1)[1]}, {ws.key_vault.rsplit('/', 1)[1]}"


def batch_endpoint_invoke():
    # batch_endpoints.invoke creates the scoring job (a pipeline job with the deployment's
    # compute and the input given), listed under the endpoint's jobs; no scoring code runs.
    import pathlib
    import tempfile

    from azure.ai.ml import Input
    from azure.ai.ml.entities import AmlCompute, BatchDeployment, BatchEndpoint, Model

    ml.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", size="STANDARD_DS11_V2", max_instances=2)).result()
    folder = pathlib.Path(tempfile.mkdtemp()) / "model"
    folder.mkdir()
    (folder / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n")
    model = ml.models.create_or_update(Model(name="batch-model", path=str(folder), type="mlflow_model"))
    name = "batch-" + WORKSPACE.rsplit("-", 1)[-1]
    ml.batch_endpoints.begin_create_or_update(BatchEndpoint(name=name)).result()
    ml.batch_deployments.begin_create_or_update(
        BatchDeployment(name="classifier", endpoint_name=name, model=model, compute="cpu-cluster")
    ).result()
    endpoint = ml.batch_endpoints.get(name)
    endpoint.defaults.deployment_name = "classifier"
    ml.batch_endpoints.begin_create_or_update(endpoint).result()
    data = Input(type="uri_folder", path="azureml://datastores/workspaceblobstore/paths/batch-data/")
    job = ml.batch_endpoints.invoke(endpoint_name=name, input=data)
    assert job.name and job.status == "NotStarted", (job.name, job.status)
    listed = [j.name for j in ml.batch_endpoints.list_jobs(endpoint_name=name)]
    assert listed == [job.name], listed
    stored = ml.jobs.get(job.name)
    assert stored.type == "pipeline", stored.type
    assert stored.tags.get("azureml.batchrun") == "true", stored.tags
    assert stored.compute.endswith("cpu-cluster"), stored.compute
    assert stored.inputs["UriFolder"].path.endswith("paths/batch-data/"), stored.inputs
    return f"{name} made job {job.name} on {stored.compute.rsplit('/', 1)[-1]}, listed under the endpoint"


def stream_running_job():
    # jobs.stream on a job that is still running: the SDK polls run history until the job's
    # emulated lifecycle ends (run.sh serves with a provisioning delay of 1 s, so a job runs
    # for 3.5 s, longer than the SDK's 2 s polling interval), prints the job's log (the blob
    # user_logs/std_log.txt under the job's default output), then the summary with the
    # emulator's warning that no code ran.
    import contextlib
    import io
    import json
    import ssl
    import urllib.request

    from azure.ai.ml import command
    from azure.ai.ml.entities import AmlCompute

    ml.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", size="STANDARD_DS11_V2", max_instances=2)).result()
    job = ml.jobs.create_or_update(
        command(command="python train.py", environment="AzureML-sklearn-1.5@latest", compute="cpu-cluster",
                display_name="stream-while-running")
    )
    assert job.status == "NotStarted", job.status
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ml.jobs.stream(job.name)
    text = out.getvalue()
    assert f"RunId: {job.name}" in text and "Execution Summary" in text, text
    assert "does not execute code" in text, text
    # The job's log, which the SDK lists and downloads from the workspace's artifact store
    # (SharedKey listing, then a SAS it signs from the datastore's key).
    log = text.split("Streaming user_logs/std_log.txt", 1)
    assert len(log) == 2, f"no log was streamed: {text}"
    log = log[1].split("Execution Summary", 1)[0]
    assert "does not execute code" in log, log
    assert f"Job {job.name} (Command)." in log and "The command was not run: python train.py" in log, log
    assert ml.jobs.get(job.name).status == "Completed"
    ctx = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    base = os.environ["ARM_CLOUD_METADATA_URL"].split("/metadata")[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
    log = json.load(opener.open(base + "/_emulator/requests"))
    polls = [r for r in log if r["path"].startswith("/history/") and f"/runs/{job.name}" in r["path"]]
    assert len(polls) >= 2, f"the run was read {len(polls)} time(s): stream did not wait for the running job"
    return f"{job.name}: {len(polls)} reads of its run while it ran, its log, then the summary"


check("MSAL password and refresh token grants", msal_user_and_refresh)
check("MLClient.workspaces.get", workspace)
check("MLClient.datastores.list", datastores)
check("MLClient.workspaces.list", workspaces_in_group)
check("a missing workspace", missing_workspace_is_resource_not_found)
check("a host outside the list", other_hosts_are_refused)
check("the workspace's azureml-blobstore container", blobstore_container)
check("Data from a local folder uploads", local_data_upload)
check("Model from a local file uploads", local_model_upload)
check("code= uploads the code snapshot once", code_job)
check("upload SAS never logged", code_sas_is_scrubbed)
check("MLClient.workspaces.begin_create (an ARM template deployment)", workspace_from_template)


check("jobs.stream of a running job", stream_running_job)
check("batch_endpoints.invoke", batch_endpoint_invoke)

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
