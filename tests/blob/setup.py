"""Creates the storage account the blob test uses in `amlab serve` (through its proxy, signed in
with the --env-file identity) and writes its key1 to the file named by argv[2] (mode 600); the
key is never printed."""
import os
import sys
import time

import requests
from azure.identity import DefaultAzureCredential

ACCOUNT, KEY_FILE = sys.argv[1], sys.argv[2]
SUB = os.environ["AZURE_SUBSCRIPTION_ID"]
ARM = "https://management.azure.com"
token = DefaultAzureCredential().get_token("https://management.azure.com/.default").token
s = requests.Session()
s.headers["Authorization"] = f"Bearer {token}"
rg = f"{ARM}/subscriptions/{SUB}/resourceGroups/rg-blobtest"
s.put(f"{rg}?api-version=2021-04-01", json={"location": "eastus"}).raise_for_status()
acct = f"{rg}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"
s.put(f"{acct}?api-version=2023-01-01", json={"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}).raise_for_status()
for _ in range(100):
    r = s.get(f"{acct}?api-version=2023-01-01")
    if r.ok and r.json()["properties"].get("provisioningState") == "Succeeded":
        break
    time.sleep(0.1)
keys = s.post(f"{acct}/listKeys?api-version=2023-01-01")
keys.raise_for_status()
fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, keys.json()["keys"][0]["value"].encode())
os.close(fd)
print(f"storage account {ACCOUNT} ready")
