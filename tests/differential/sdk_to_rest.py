"""Convert az ml CLI v2 YAML specs to ARM request bodies with the official azure-ai-ml SDK.

Usage: sdk_to_rest.py CORPUS_DIR OUT_DIR

For every spec under CORPUS_DIR (a scratch copy: local paths the specs reference but the
corpus does not ship are created empty, because the SDK's loaders check that they exist),
loads it with the SDK's own loader for its kind, converts it with the entity's REST
conversion and writes OUT_DIR/<relative path>.json as
{"kind": ..., "resource": <relative ARM path>, "body": <wire JSON>} or {"kind": ..., "error": ...}.
References (azureml:name:version, compute names) are resolved with the SDK's own
OperationOrchestrator against a fixed workspace scope, as `az ml ... create` does.
"""
import collections.abc
import datetime
import glob
import json
import os
import re
import sys

from azure.ai.ml import (load_batch_endpoint, load_component, load_compute, load_data,
                         load_datastore, load_environment, load_job, load_model,
                         load_online_deployment, load_online_endpoint, load_workspace)
from azure.ai.ml.entities._load_functions import (load_model_batch_deployment,
                                                  load_pipeline_component_batch_deployment,
                                                  load_schedule)

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-amlab"
WS = "mlw-amlab"
LOCATION = "eastus"

SCHEMA_KIND = {
    "amlCompute": "compute", "computeInstance": "compute", "azureBlob": "datastore",
    "azureFile": "datastore", "azureDataLakeGen2": "datastore", "data": "data",
    "environment": "environment", "model": "model", "commandComponent": "component",
    "commandJob": "job", "sweepJob": "job", "pipelineJob": "job", "autoMLJob": "job",
    "managedOnlineEndpoint": "online_endpoint", "managedOnlineDeployment": "online_deployment",
    "batchEndpoint": "batch_endpoint", "modelBatchDeployment": "batch_deployment",
    "pipelineComponentBatchDeployment": "batch_deployment", "schedule": "schedule",
    "Schedule": "schedule", "workspace": "workspace", "SparkComponent": "component",
}


def wire(x):
    """The JSON the SDK would send for a REST model (msrest or TypeSpec)."""
    if hasattr(x, "serialize") and callable(x.serialize):
        return wire(x.serialize())
    if isinstance(x, collections.abc.Mapping):
        return {k: wire(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [wire(v) for v in x]
    if isinstance(x, datetime.datetime):
        return x.isoformat()
    if isinstance(x, datetime.timedelta):
        import isodate
        return isodate.duration_isoformat(x)
    if hasattr(x, "value") and isinstance(getattr(x, "value"), str) and type(x).__module__.startswith("azure"):
        return x.value
    return x


def kind_of(path, text):
    m = re.search(r"\$schema:\s*(\S+)", text)
    if not m:
        return None
    return SCHEMA_KIND.get(m.group(1).rsplit("/", 1)[-1].split(".")[0])


MISSING = re.compile(r"Can't find directory or file in resolved absolute path: (/[^;\"\\]+?)\.(?=[;\"\\\s]|$)")


NO_FILE = re.compile(r"No such file or directory: '?(/[^'\"\\\s]+)")


def load(kind, path):
    from azure.ai.ml import load_registry  # noqa: F401
    if kind == "compute":
        return load_compute(path)
    if kind == "datastore":
        return load_datastore(path)
    if kind == "data":
        return load_data(path)
    if kind == "environment":
        return load_environment(path)
    if kind == "model":
        return load_model(path)
    if kind == "component":
        return load_component(path)
    if kind == "job":
        return load_job(path)
    if kind == "workspace":
        return load_workspace(path)
    if kind == "online_endpoint":
        return load_online_endpoint(path)
    if kind == "online_deployment":
        return load_online_deployment(path)
    if kind == "batch_endpoint":
        return load_batch_endpoint(path)
    if kind == "batch_deployment":
        import yaml
        t = (yaml.safe_load(open(path)) or {}).get("type")
        if t == "pipeline":
            return load_pipeline_component_batch_deployment(path)
        return load_model_batch_deployment(path)
    if kind == "schedule":
        return load_schedule(path)
    raise ValueError(kind)


def load_creating_missing(kind, path):
    """Loads, creating local paths the corpus does not ship (up to 10 rounds)."""
    for _ in range(10):
        try:
            return load(kind, path)
        except Exception as ex:  # the SDK raises ValidationError subclasses
            msg = str(ex)
            m = MISSING.search(msg) or NO_FILE.search(msg)
            if not m:
                raise
            missing = m.group(1)
            if os.path.exists(missing):
                raise
            if m.re is NO_FILE or os.path.splitext(missing)[1]:
                os.makedirs(os.path.dirname(missing), exist_ok=True)
                open(missing, "a").close()
            else:
                os.makedirs(missing, exist_ok=True)
    return load(kind, path)


def to_rest(kind, e):
    if kind == "online_endpoint":
        return e._to_rest_online_endpoint(LOCATION)
    if kind == "batch_endpoint":
        return e._to_rest_batch_endpoint(LOCATION)
    if kind in ("online_deployment", "batch_deployment"):
        return e._to_rest_object(location=LOCATION)
    return e._to_rest_object()


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(os.path.join(corpus, "cli", "**", "*.y*ml"), recursive=True))
    for f in files:
        rel = os.path.relpath(f, corpus)
        kind = kind_of(f, open(f).read())
        if kind is None:
            continue
        result = {"kind": kind}
        try:
            e = load_creating_missing(kind, f)
            result["body"] = wire(to_rest(kind, e))
        except Exception as ex:
            result["error"] = f"{type(ex).__name__}: {str(ex)[:2000]}"
        dest = os.path.join(out, rel + ".json")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as fh:
            json.dump(result, fh, indent=1, sort_keys=True, default=repr)


if __name__ == "__main__":
    main()
