#!/usr/bin/env bash
# End-to-end check of a deployed kfp-platform stack with in-cluster MinIO (the `local` stack):
# port-forwards svc/ml-pipeline and svc/minio-service, runs e2e/pipeline.py's two-step pipeline (the
# first step hands a Dataset artifact to the second), waits for it, fails unless it SUCCEEDED, then
# fails unless the producer's artifact object is in MinIO with the bytes it wrote.
#
#   kind create cluster --name kfp && pulumi up -s local    # see docs/ci.md
#   bash e2e/run.sh
#
# Environment (all optional):
#   KUBE_CONTEXT   kubeconfig context (default: the current one)
#   KFP_NAMESPACE  the platform namespace (default: kubeflow)
#   E2E_TIMEOUT    seconds to wait for the run (default: 1200)
#   KFP_API_PORT, MINIO_PORT  local ports for the port-forwards (default: 18888, 19000)
#   PYTHON         a python with e2e/requirements.txt installed; unset: a virtualenv under
#                  ${XDG_CACHE_HOME:-~/.cache}/kfp-platform-e2e is made (or reused) from it
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ns="${KFP_NAMESPACE:-kubeflow}"
timeout="${E2E_TIMEOUT:-1200}"
api_port="${KFP_API_PORT:-18888}"
minio_port="${MINIO_PORT:-19000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/kfp-platform-e2e.XXXXXX")"

k() { kubectl ${KUBE_CONTEXT:+--context "$KUBE_CONTEXT"} -n "$ns" "$@"; }

forwards=()
cleanup() {
  local pid
  for pid in "${forwards[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- Python with the pinned KFP SDK --------------------------------------------------------------------
python="${PYTHON:-}"
if [ -z "$python" ]; then
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/kfp-platform-e2e/venv"
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
    echo "e2e: installing e2e/requirements.txt into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
  fi
  python="$venv/bin/python"
fi
"$python" -c 'import kfp, boto3; print(f"e2e: kfp {kfp.__version__}, boto3 {boto3.__version__}")'

# --- The deployment ------------------------------------------------------------------------------------
echo "e2e: waiting for the KFP API server and MinIO in namespace $ns"
k rollout status deployment/ml-pipeline --timeout=10m
k rollout status deployment/minio --timeout=10m
pipeline_root="$(k get configmap kfp-launcher -o jsonpath='{.data.defaultPipelineRoot}')"
access_key="$(k get secret mlpipeline-minio-artifact -o jsonpath='{.data.accesskey}' | base64 -d)"
secret_key="$(k get secret mlpipeline-minio-artifact -o jsonpath='{.data.secretkey}' | base64 -d)"
if [ -z "$pipeline_root" ] || [ -z "$access_key" ] || [ -z "$secret_key" ]; then
  echo "e2e: FAIL: no defaultPipelineRoot in ConfigMap kfp-launcher or no keys in Secret mlpipeline-minio-artifact (namespace $ns); is this a stack with in-cluster MinIO?" >&2
  exit 1
fi
echo "e2e: pipeline root $pipeline_root"

# --- Port-forwards -------------------------------------------------------------------------------------
k port-forward svc/ml-pipeline "$api_port:8888" >"$work/pf-api.log" 2>&1 &
forwards+=("$!")
k port-forward svc/minio-service "$minio_port:9000" >"$work/pf-minio.log" 2>&1 &
forwards+=("$!")
wait_http() { # <url> <name> <log>
  local _
  for _ in $(seq 1 60); do
    if curl -fsS -o /dev/null --max-time 5 "$1"; then return 0; fi
    sleep 2
  done
  echo "e2e: FAIL: $2 did not answer at $1; port-forward log:" >&2
  cat "$3" >&2
  return 1
}
wait_http "http://127.0.0.1:$api_port/apis/v1beta1/healthz" "the KFP API (svc/ml-pipeline)" "$work/pf-api.log"
wait_http "http://127.0.0.1:$minio_port/minio/health/live" "MinIO (svc/minio-service)" "$work/pf-minio.log"

# --- The pipeline and its artifact --------------------------------------------------------------------
"$python" "$here/pipeline.py" run --host "http://127.0.0.1:$api_port" --timeout "$timeout" --result "$work/run.json"
MINIO_ACCESS_KEY="$access_key" MINIO_SECRET_KEY="$secret_key" \
  "$python" "$here/pipeline.py" check-artifact --endpoint "http://127.0.0.1:$minio_port" \
  --pipeline-root "$pipeline_root" --result "$work/run.json"
echo "e2e: ok"
