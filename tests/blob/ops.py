"""One azure-storage-blob session, run unchanged against amlab serve and against Azurite.

Env: BLOB_ACCOUNT_URL (https://{account}.blob.core.windows.net through the proxy, or Azurite's
http://127.0.0.1:PORT/{account}), BLOB_ACCOUNT, BLOB_KEY. Prints one JSON document: a list of
[operation, observation] pairs, where an observation is what a user of the SDK can see (values,
or the error's status and code), never ETags or times themselves (only whether they changed).
Keys and SAS tokens are never printed.
"""
import datetime
import hashlib
import json
import os
import sys

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceNotModifiedError
from azure.storage.blob import (
    AccountSasPermissions,
    BlobServiceClient,
    BlobSasPermissions,
    BlobBlock,
    ContainerSasPermissions,
    ContentSettings,
    ResourceTypes,
    generate_account_sas,
    generate_blob_sas,
    generate_container_sas,
)

URL = os.environ["BLOB_ACCOUNT_URL"]
ACCOUNT = os.environ["BLOB_ACCOUNT"]
KEY = os.environ["BLOB_KEY"]
observed = []


def obs(name, fn):
    try:
        value = fn()
    except ResourceNotModifiedError as e:
        value = {"status": e.status_code, "error": "NotModified"}
    except HttpResponseError as e:
        value = {"status": e.status_code, "error": e.error_code}
    observed.append([name, value])


service = BlobServiceClient(URL, credential={"account_name": ACCOUNT, "account_key": KEY})
box = service.get_container_client("difftest")
other = service.get_container_client("difftest-other")


def props(name):
    p = box.get_blob_client(name).get_blob_properties()
    return {
        "size": p.size,
        "blob_type": str(p.blob_type),
        "content_type": p.content_settings.content_type,
        "content_language": p.content_settings.content_language,
        "md5": p.content_settings.content_md5.hex() if p.content_settings.content_md5 else None,
        "metadata": p.metadata,
    }


def sas_client(token, name=None, container="difftest"):
    c = BlobServiceClient(URL, credential=token).get_container_client(container)
    return c.get_blob_client(name) if name else c


now = datetime.datetime.now(datetime.timezone.utc)
soon = now + datetime.timedelta(hours=1)
past = now - datetime.timedelta(hours=1)

obs("create container", lambda: box.create_container(metadata={"purpose": "diff"}) and "created")
obs("create it again", lambda: box.create_container() and "created")
obs("create a second container", lambda: other.create_container() and "created")
obs("list containers (prefix)", lambda: [c.name for c in service.list_containers(name_starts_with="difftest")])
obs("list containers with metadata", lambda: [(c.name, c.metadata) for c in service.list_containers(name_starts_with="difftest", include_metadata=True)])
obs("container metadata", lambda: box.get_container_properties().metadata)
obs("set container metadata", lambda: box.set_container_metadata({"a": "1", "b": "2"}) and box.get_container_properties().metadata)
obs("upload a.txt", lambda: bool(box.upload_blob("a.txt", b"hello world", content_settings=ContentSettings(content_type="text/plain"), metadata={"k": "v"})))
obs("upload a.txt again without overwrite", lambda: box.upload_blob("a.txt", b"other") and "uploaded")
obs("properties of a.txt", lambda: props("a.txt"))
obs("download a.txt", lambda: box.download_blob("a.txt").readall().decode())
obs("download a range", lambda: box.download_blob("a.txt", offset=6, length=5).readall().decode())
obs("download an open range", lambda: box.download_blob("a.txt", offset=3).readall().decode())
obs("download past the end", lambda: box.download_blob("a.txt", offset=100, length=5).readall().decode())
etag = box.get_blob_client("a.txt").get_blob_properties().etag
obs("overwrite a.txt", lambda: bool(box.upload_blob("a.txt", b"hello again", overwrite=True)))
obs("overwrite changed the etag", lambda: box.get_blob_client("a.txt").get_blob_properties().etag != etag)
obs("download if-match a stale etag", lambda: box.download_blob("a.txt", etag=etag, match_condition=MatchConditions.IfNotModified).readall().decode())
fresh = box.get_blob_client("a.txt").get_blob_properties().etag
obs("download if-none-match the current etag", lambda: box.download_blob("a.txt", etag=fresh, match_condition=MatchConditions.IfModified).readall().decode())
obs("download if-match the current etag", lambda: box.download_blob("a.txt", etag=fresh, match_condition=MatchConditions.IfNotModified).readall().decode())
obs("delete if-match a stale etag", lambda: box.delete_blob("a.txt", etag=etag, match_condition=MatchConditions.IfNotModified) or "deleted")
obs("set metadata", lambda: box.get_blob_client("a.txt").set_blob_metadata({"x": "1", "y": "two"}) and props("a.txt")["metadata"])
obs("metadata names the signature sorts specially", lambda: box.upload_blob("meta.txt", b"m", metadata={"a_b": "1", "a1": "2", "name_2": "3", "name2": "4"}) and props("meta.txt")["metadata"])
obs("set metadata changed the etag", lambda: box.get_blob_client("a.txt").get_blob_properties().etag != fresh)
obs("set http headers", lambda: box.get_blob_client("a.txt").set_http_headers(ContentSettings(content_type="application/json", content_language="en")) and props("a.txt"))
obs("empty blob", lambda: box.upload_blob("empty.bin", b"") and box.download_blob("empty.bin").readall())
obs("properties of the empty blob", lambda: props("empty.bin"))

blocks = box.get_blob_client("blocks.txt")
obs("stage three blocks", lambda: [blocks.stage_block(i, d) and i for i, d in [("YmxvY2sx", b"one-"), ("YmxvY2sy", b"two-"), ("YmxvY2sz", b"three")]])
obs("uncommitted block list", lambda: [[(b.id, b.size) for b in part] for part in blocks.get_block_list("all")])
obs("blob does not exist before commit", lambda: blocks.exists())
obs("commit two of them", lambda: blocks.commit_block_list([BlobBlock("YmxvY2sz"), BlobBlock("YmxvY2sx")]) and box.download_blob("blocks.txt").readall().decode())
obs("committed block list", lambda: [[(b.id, b.size) for b in part] for part in blocks.get_block_list("all")])
obs("commit an unknown block", lambda: blocks.commit_block_list([BlobBlock("bm9wZW5vcGU=")]) and "committed")
obs("stage with a different id length", lambda: blocks.stage_block("YQ==", b"x") and "staged")
def recommit():
    blocks.stage_block("YmxvY2s0", b"-four")
    blocks.commit_block_list([BlobBlock("YmxvY2sz"), BlobBlock("YmxvY2s0")])
    return box.download_blob("blocks.txt").readall().decode()


obs("recommit a committed block and a new one", recommit)
obs("md5 of a block-list blob", lambda: props("blocks.txt")["md5"])

big = bytes((i * 7 + i // 251) % 256 for i in range(5 * 1024 * 1024 + 123))
chunked = BlobServiceClient(URL, credential={"account_name": ACCOUNT, "account_key": KEY}, max_single_put_size=1024 * 1024, max_block_size=1024 * 1024)
obs("upload 5 MiB in 1 MiB blocks", lambda: bool(chunked.get_blob_client("difftest", "dir/big.bin").upload_blob(big)))
obs("download it whole (sha256)", lambda: hashlib.sha256(box.download_blob("dir/big.bin").readall()).hexdigest() == hashlib.sha256(big).hexdigest())
obs("download it in chunks (sha256)", lambda: hashlib.sha256(chunked.get_blob_client("difftest", "dir/big.bin").download_blob(max_concurrency=2).readall()).hexdigest() == hashlib.sha256(big).hexdigest())
obs("committed blocks of the big blob", lambda: len(box.get_blob_client("dir/big.bin").get_block_list()[0]))
for n in ["dir/a.csv", "dir/sub/b.csv", "dir/sub/c.csv", "dir2/x", "z.txt", "dir/ä ü.txt"]:
    box.upload_blob(n, n.encode(), overwrite=True)
obs("list all blobs", lambda: [b.name for b in box.list_blobs()])
obs("list blobs with a prefix", lambda: [b.name for b in box.list_blobs(name_starts_with="dir/")])
obs("walk with a delimiter", lambda: [b.name for b in box.walk_blobs(delimiter="/")])
obs("walk under a prefix", lambda: [b.name for b in box.walk_blobs(name_starts_with="dir/", delimiter="/")])
obs("list blobs in pages of 2", lambda: [[b.name for b in page] for page in box.list_blobs(results_per_page=2).by_page()])
obs("list with metadata", lambda: [(b.name, b.metadata) for b in box.list_blobs(name_starts_with="a.", include=["metadata"])])
obs("list sizes and types", lambda: [(b.name, b.size, b.content_settings.content_type) for b in box.list_blobs(name_starts_with="e")])
obs("unicode name round trip", lambda: box.download_blob("dir/ä ü.txt").readall().decode())

obs("wrong key", lambda: BlobServiceClient(URL, credential={"account_name": ACCOUNT, "account_key": "d3Jvbmcga2V5IHdyb25nIGtleQ=="}).get_container_client("difftest").get_container_properties() and "allowed")
read_sas = generate_blob_sas(ACCOUNT, "difftest", "a.txt", account_key=KEY, permission=BlobSasPermissions(read=True), expiry=soon)
obs("blob SAS read", lambda: sas_client(read_sas, "a.txt").download_blob().readall().decode())
obs("blob SAS on another blob", lambda: sas_client(read_sas, "z.txt").download_blob().readall().decode())
obs("blob SAS write without permission", lambda: sas_client(read_sas, "a.txt").upload_blob(b"no", overwrite=True) and "written")
tampered = read_sas.replace("sig=", "sig=AAAA")
obs("tampered SAS", lambda: sas_client(tampered, "a.txt").download_blob().readall().decode())
expired = generate_blob_sas(ACCOUNT, "difftest", "a.txt", account_key=KEY, permission=BlobSasPermissions(read=True), expiry=past)
obs("expired SAS", lambda: sas_client(expired, "a.txt").download_blob().readall().decode())
list_sas = generate_container_sas(ACCOUNT, "difftest", account_key=KEY, permission=ContainerSasPermissions(read=True, list=True), expiry=soon)
obs("container SAS list", lambda: [b.name for b in sas_client(list_sas).list_blobs(name_starts_with="dir/sub/")])
obs("container SAS write without permission", lambda: sas_client(list_sas).upload_blob("new.txt", b"no") and "written")
obs("container SAS on another container", lambda: [b.name for b in sas_client(list_sas, container="difftest-other").list_blobs()])
write_sas = generate_container_sas(ACCOUNT, "difftest", account_key=KEY, permission=ContainerSasPermissions(read=True, write=True, create=True, list=True), expiry=soon)
obs("container SAS upload", lambda: bool(sas_client(write_sas).upload_blob("via-sas.txt", b"by sas")) and box.download_blob("via-sas.txt").readall().decode())
obs("container SAS delete without permission", lambda: sas_client(write_sas).delete_blob("via-sas.txt") or "deleted")
account_sas = generate_account_sas(ACCOUNT, KEY, resource_types=ResourceTypes(service=True, container=True, object=True), permission=AccountSasPermissions(read=True, list=True), expiry=soon)
obs("account SAS list containers", lambda: [c.name for c in BlobServiceClient(URL, credential=account_sas).list_containers(name_starts_with="difftest")])
obs("account SAS create container without permission", lambda: BlobServiceClient(URL, credential=account_sas).create_container("difftest-sas") and "created")
obj_sas = generate_account_sas(ACCOUNT, KEY, resource_types=ResourceTypes(object=True), permission=AccountSasPermissions(read=True, list=True), expiry=soon)
obs("account SAS without the container type", lambda: [c.name for c in BlobServiceClient(URL, credential=obj_sas).list_containers()])

obs("delete a.txt", lambda: box.delete_blob("a.txt") or "deleted")
obs("a.txt exists", lambda: box.get_blob_client("a.txt").exists())
obs("delete it again", lambda: box.delete_blob("a.txt") or "deleted")
obs("properties of a missing blob", lambda: props("a.txt"))
obs("download a missing blob", lambda: box.download_blob("a.txt").readall())
obs("upload to a missing container", lambda: service.get_container_client("nosuch").upload_blob("x", b"x") and "uploaded")
obs("bad container name", lambda: service.get_container_client("Bad_Name").create_container() and "created")
obs("delete the second container", lambda: other.delete_container() or "deleted")
obs("its properties", lambda: other.get_container_properties().name)
obs("list blobs of a missing container", lambda: [b.name for b in other.list_blobs()])
obs("delete container", lambda: box.delete_container() or "deleted")
obs("list containers at the end", lambda: [c.name for c in service.list_containers(name_starts_with="difftest")])

json.dump(observed, sys.stdout, indent=1, ensure_ascii=False, default=lambda b: b.decode("latin-1") if isinstance(b, bytes) else str(b))
print()
