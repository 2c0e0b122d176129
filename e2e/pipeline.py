"""End-to-end pipeline for kfp-platform: two KFP steps, the first hands a Dataset artifact to the second.

The producer writes PAYLOAD to an ``Output[Dataset]``; KFP's launcher uploads it to the pipeline root
(the in-cluster MinIO on the ``local`` stack); the consumer gets it back as an ``Input[Dataset]`` and
fails unless the content is exactly PAYLOAD. Afterwards ``check-artifact`` finds the producer's object
in the object store by the run id and compares its bytes.

    python e2e/pipeline.py compile pipeline.yaml           # offline: the IR YAML the SDK would submit
    python e2e/pipeline.py run --host http://127.0.0.1:8888 --result run.json
    MINIO_ACCESS_KEY=... MINIO_SECRET_KEY=... \\
      python e2e/pipeline.py check-artifact --endpoint http://127.0.0.1:9000 \\
        --pipeline-root minio://mlpipeline/v2/artifacts --result run.json

``e2e/run.sh`` does all of this against a deployed stack (port-forwards included). Versions:
``e2e/requirements.txt`` (the KFP SDK line that matches the 2.14.0 backend).
"""

import argparse
import json
import os
import sys
import time
from urllib.parse import urlparse

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

PIPELINE_NAME = "kfp-platform-e2e"
PRODUCER_TASK = "producer"  # the producer task's name in the DAG: its component's name
OUTPUT_NAME = "dataset"
PAYLOAD = "kfp-platform e2e: handed from producer to consumer\nline 2\n"
# Step image. The SDK installs the matching `kfp` into it at run time (pip, from the internet).
BASE_IMAGE = "docker.io/library/python:3.12-slim"


@dsl.component(base_image=BASE_IMAGE)
def producer(payload: str, dataset: Output[Dataset]):
    """Writes the payload as the step's Dataset output."""
    with open(dataset.path, "w", encoding="utf-8") as f:
        f.write(payload)
    dataset.metadata["bytes"] = len(payload.encode("utf-8"))
    print(f"wrote {len(payload)} characters to {dataset.path} ({dataset.uri})")


@dsl.component(base_image=BASE_IMAGE)
def consumer(payload: str, dataset: Input[Dataset]) -> str:
    """Reads the producer's Dataset and fails unless it is exactly the payload."""
    with open(dataset.path, encoding="utf-8") as f:
        content = f.read()
    if content != payload:
        raise ValueError(f"artifact {dataset.uri} holds {content!r}, expected {payload!r}")
    print(f"read the expected {len(content)} characters from {dataset.uri}")
    return dataset.uri


# The parameter's default stays on one line: KFP 2.14's compiler writes defaults unescaped into the
# compiled YAML's comment header (pipeline_spec_builder.py, extract_comments_from_pipeline_spec), and a line
# break there makes the file unreadable. The two-line PAYLOAD is passed as the run's argument instead.
@dsl.pipeline(name=PIPELINE_NAME, description="kfp-platform e2e: a Dataset artifact handed from one step to the next.")
def e2e_pipeline(payload: str = "kfp-platform e2e"):
    made = producer(payload=payload)  # task name: producer (the launcher's object key has it)
    made.set_caching_options(False)
    used = consumer(payload=payload, dataset=made.outputs[OUTPUT_NAME])
    used.set_caching_options(False)


def compile_pipeline(path: str) -> None:
    compiler.Compiler().compile(pipeline_func=e2e_pipeline, package_path=path)
    print(f"compiled {PIPELINE_NAME} to {path}")


def run_pipeline(host: str, timeout: int, result_path: str) -> int:
    """Submits the pipeline, waits for it, and records the run; exit 1 unless it SUCCEEDED."""
    import kfp

    client = kfp.Client(host=host)
    started = time.time()
    run = client.create_run_from_pipeline_func(
        e2e_pipeline,
        arguments={"payload": PAYLOAD},
        run_name=f"{PIPELINE_NAME} {time.strftime('%Y-%m-%d %H:%M:%S')}",
        experiment_name=PIPELINE_NAME,
        enable_caching=False,
    )
    print(f"submitted run {run.run_id}; waiting up to {timeout}s", flush=True)
    done = client.wait_for_run_completion(run.run_id, timeout=timeout, sleep_duration=10)
    state = str(done.state)
    print(f"run {run.run_id} finished as {state} after {int(time.time() - started)}s")
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump({"run_id": run.run_id, "state": state, "pipeline": PIPELINE_NAME, "payload": PAYLOAD}, f, indent=2)
    if state.upper() != "SUCCEEDED":
        error = getattr(done, "error", None)
        print(f"FAIL: run {run.run_id} is {state}, not SUCCEEDED{f': {error}' if error else ''}", file=sys.stderr)
        return 1
    return 0


def check_artifact(endpoint: str, pipeline_root: str, result_path: str) -> int:
    """Finds the producer's Dataset object of the run in the object store and compares its content."""
    import boto3
    from botocore.config import Config

    with open(result_path, encoding="utf-8") as f:
        result = json.load(f)
    run_id, payload = result["run_id"], result["payload"]
    root = urlparse(pipeline_root)  # minio://<bucket>/<path>
    if root.scheme not in ("minio", "s3"):
        print(f"FAIL: pipeline root {pipeline_root} is not minio:// or s3://", file=sys.stderr)
        return 2
    bucket, prefix = root.netloc, root.path.strip("/")
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=os.environ.get("MINIO_REGION", "minio"),
        aws_access_key_id=os.environ["MINIO_ACCESS_KEY"],
        aws_secret_access_key=os.environ["MINIO_SECRET_KEY"],
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    # The launcher writes outputs to <root>/<pipeline>/<run id>/<task>/<salt>/<output> (KFP 2.14.0,
    # backend/src/v2/driver); match on the run id and the output name rather than on that layout.
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        keys += [o["Key"] for o in page.get("Contents", [])]
    mine = [k for k in keys if f"/{run_id}/" in f"/{k}" and k.endswith(f"/{OUTPUT_NAME}") and f"/{PRODUCER_TASK}/" in k]
    if len(mine) != 1:
        ours = [k for k in keys if run_id in k]
        print(f"FAIL: expected one {PRODUCER_TASK}/{OUTPUT_NAME} object of run {run_id} in s3://{bucket}/{prefix}, found {mine}; the run's objects: {ours}", file=sys.stderr)
        return 1
    body = s3.get_object(Bucket=bucket, Key=mine[0])["Body"].read().decode("utf-8")
    if body != payload:
        print(f"FAIL: s3://{bucket}/{mine[0]} holds {body!r}, expected {payload!r}", file=sys.stderr)
        return 1
    print(f"ok: s3://{bucket}/{mine[0]} holds the {len(body)} characters the producer wrote")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile the pipeline to IR YAML (offline)")
    c.add_argument("path")
    r = sub.add_parser("run", help="submit the pipeline, wait, fail unless it SUCCEEDED")
    r.add_argument("--host", required=True, help="KFP API, e.g. http://127.0.0.1:8888 (port-forwarded svc/ml-pipeline)")
    r.add_argument("--timeout", type=int, default=1200, help="seconds to wait for the run")
    r.add_argument("--result", required=True, help="JSON file to write the run id to")
    a = sub.add_parser("check-artifact", help="check the producer's artifact object in MinIO/S3 (keys: MINIO_ACCESS_KEY, MINIO_SECRET_KEY)")
    a.add_argument("--endpoint", required=True, help="object store URL, e.g. http://127.0.0.1:9000 (port-forwarded svc/minio-service)")
    a.add_argument("--pipeline-root", required=True, help="defaultPipelineRoot of ConfigMap kfp-launcher, e.g. minio://mlpipeline/v2/artifacts")
    a.add_argument("--result", required=True, help="JSON file written by `run`")
    args = parser.parse_args(argv)
    if args.command == "compile":
        compile_pipeline(args.path)
        return 0
    if args.command == "run":
        return run_pipeline(args.host, args.timeout, args.result)
    return check_artifact(args.endpoint, args.pipeline_root, args.result)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
