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


check("MSAL password and refresh token grants", msal_user_and_refresh)
check("MLClient.workspaces.get", workspace)
check("MLClient.datastores.list", datastores)
check("MLClient.workspaces.list", workspaces_in_group)
check("a missing workspace", missing_workspace_is_resource_not_found)
check("a host outside the list", other_hosts_are_refused)

passed = sum(results)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
