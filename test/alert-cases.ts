// promtool unit cases for every alert (modules/monitoring/alerts.ts), as aws-prod renders them: each
// alert fires on the series that should page and stays silent on look-alikes. The series use the
// exporters' real names and labels (modules/monitoring/metrics.ts). `value` is the alert's value, for
// summaries that print it. absent() over a comparison carries no labels of its own (promtool shows it).
import { WORKFLOW_TTL_SECONDS } from "../modules/config/kfp";
import { workflowObjectsBound } from "../modules/config/sizing";

/** ArgoWorkflowObjectsHigh's cases for a stack's bound (config/sizing.ts: its cap and KFP's TTL), crossed by 100 either way. */
export function workflowObjectsCases(bound: number): AlertCase[] {
  return [
    { name: "100 workflows above the bound", series: { 'argo_workflows_gauge{status="Succeeded"}': `${bound - 400}x30`, 'argo_workflows_gauge{status="Running"}': "500x30" }, at: 20, fires: {}, value: bound + 100 },
    { name: "100 workflows below the bound", series: { 'argo_workflows_gauge{status="Succeeded"}': `${bound - 600}x30`, 'argo_workflows_gauge{status="Running"}': "500x30" }, at: 20 },
  ];
}

export interface AlertCase {
  readonly name: string;
  readonly series: Record<string, string>;
  /** Minutes after the start. */
  readonly at: number;
  /** Labels the alert carries besides its rule labels; undefined: it must not fire. */
  readonly fires?: Record<string, string>;
  readonly value?: number;
}

const ns = "kubeflow";
const finished = (phase: string) => `argo_workflows_total_count{phase="${phase}",namespace="${ns}",job="argo-workflow-controller"}`;
const pod = 'namespace="team-vision",pod="train-abc",container="main"';
const gpu = 'node="ip-10-0-1-5",gpu="0",UUID="GPU-1"';

export const ALERT_CASES: Record<string, AlertCase[]> = {
  KfpPipelineSuccessRateLow: [
    { name: "half the runs failing for an hour", series: { [finished("Succeeded")]: "0+1x90", [finished("Failed")]: "0+1x90" }, at: 80, fires: {}, value: 0.5 },
    { name: "one failure in eleven", series: { [finished("Succeeded")]: "0+10x90", [finished("Failed")]: "0+1x90" }, at: 80 },
    { name: "too few runs to judge", series: { [finished("Failed")]: "0+0.05x90" }, at: 80 },
    // After a controller restart Argo has no Succeeded series until a run succeeds (never zero-initialised).
    { name: "every run failing, no Succeeded series at all", series: { [finished("Failed")]: "0+1x90" }, at: 80, fires: {}, value: 0 },
  ],
  KfpApiServerDown: [
    { name: "target down", series: { 'up{job="kfp-api-server"}': "0x20" }, at: 10, fires: {} },
    { name: "no target at all", series: { 'up{job="argo-workflow-controller"}': "1x20" }, at: 10, fires: {} },
    { name: "target up", series: { 'up{job="kfp-api-server"}': "1x20" }, at: 10 },
  ],
  KfpPersistenceAgentNotSyncing: [
    {
      name: "Argo finishes runs, KFP records none",
      series: { [finished("Succeeded")]: "0+1x60", 'resource_manager_workflow_runs_success{profile="kubeflow",workflow="old-run"}': "1x60" },
      at: 50,
      fires: {},
    },
    {
      name: "KFP records the runs Argo finishes",
      series: { [finished("Succeeded")]: "0+1x60", 'resource_manager_workflow_runs_success{profile="kubeflow",workflow="old-run"}': "1x60", 'resource_manager_workflow_runs_success{profile="kubeflow",workflow="new-run"}': "_x40 1x20" },
      at: 50,
    },
    { name: "nothing finished", series: { [finished("Succeeded")]: "5x60" }, at: 50 },
    {
      // RetryRun re-creates the Workflow under its old name: KFP's series for it grows, no new one appears.
      name: "only retried runs finish, and KFP records the retries",
      series: { [finished("Failed")]: "0+1x60", 'resource_manager_workflow_runs_failed{profile="kubeflow",workflow="retried-run"}': "1x30 2x30" },
      at: 50,
    },
    {
      name: "only retried runs finish, and KFP records nothing",
      series: { [finished("Failed")]: "0+1x60", 'resource_manager_workflow_runs_failed{profile="kubeflow",workflow="retried-run"}': "1x60" },
      at: 50,
      fires: {},
    },
  ],
  KfpComponentUnavailable: [
    {
      name: "persistence agent has no ready replica",
      series: { [`kube_deployment_status_replicas_available{namespace="${ns}",deployment="ml-pipeline-persistenceagent"}`]: "0x20", [`kube_deployment_spec_replicas{namespace="${ns}",deployment="ml-pipeline-persistenceagent"}`]: "1x20" },
      at: 15,
      fires: { namespace: ns, deployment: "ml-pipeline-persistenceagent" },
    },
    {
      name: "all replicas available",
      series: { [`kube_deployment_status_replicas_available{namespace="${ns}",deployment="ml-pipeline"}`]: "1x20", [`kube_deployment_spec_replicas{namespace="${ns}",deployment="ml-pipeline"}`]: "1x20" },
      at: 15,
    },
    {
      name: "another namespace's deployment",
      series: { ['kube_deployment_status_replicas_available{namespace="team-vision",deployment="x"}']: "0x20", ['kube_deployment_spec_replicas{namespace="team-vision",deployment="x"}']: "1x20" },
      at: 15,
    },
  ],
  ArgoControllerDown: [
    { name: "controller target down", series: { 'up{job="argo-workflow-controller"}': "0x20" }, at: 10, fires: {} },
    { name: "controller up", series: { 'up{job="argo-workflow-controller"}': "1x20" }, at: 10 },
  ],
  ArgoWorkflowQueueBacklog: [
    { name: "200 workflows queued for 20 minutes", series: { 'argo_workflows_queue_depth_gauge{queue_name="workflow_queue"}': "200x30" }, at: 20, fires: {}, value: 200 },
    { name: "50 queued", series: { 'argo_workflows_queue_depth_gauge{queue_name="workflow_queue"}': "50x30" }, at: 20 },
    { name: "pod cleanup queue, not the workflow queue", series: { 'argo_workflows_queue_depth_gauge{queue_name="pod_cleanup_queue"}': "500x30" }, at: 20 },
  ],
  ArgoControllerErrors: [
    { name: "a panic in the last 10 minutes", series: { 'argo_workflows_error_count{cause="OperationPanic"}': "0 0 0 1 1 1 1" }, at: 5, fires: { cause: "OperationPanic" } },
    { name: "no errors", series: { 'argo_workflows_error_count{cause="OperationPanic"}': "0x10" }, at: 5 },
  ],
  ArgoWorkflowObjectsHigh: [
    ...workflowObjectsCases(workflowObjectsBound(500, WORKFLOW_TTL_SECONDS)),
  ],
  PodOOMKilled: [
    { name: "a step killed (no restart)", series: { [`kube_pod_container_status_terminated_reason{${pod},reason="OOMKilled"}`]: "1x5" }, at: 2, fires: { namespace: "team-vision", pod: "train-abc", container: "main" } },
    {
      name: "a service restarted after an OOM kill",
      series: { [`kube_pod_container_status_last_terminated_reason{${pod},reason="OOMKilled"}`]: "1x10", [`kube_pod_container_status_restarts_total{${pod}}`]: "0 0 1 1 1 1" },
      at: 5,
      fires: { namespace: "team-vision", pod: "train-abc", container: "main" },
    },
    { name: "a step that completed", series: { [`kube_pod_container_status_terminated_reason{${pod},reason="Completed"}`]: "1x5" }, at: 2 },
    {
      name: "an OOM kill long ago, no new restart",
      series: { [`kube_pod_container_status_last_terminated_reason{${pod},reason="OOMKilled"}`]: "1x30", [`kube_pod_container_status_restarts_total{${pod}}`]: "3x30" },
      at: 25,
    },
  ],
  PodImagePullFailing: [
    { name: "ImagePullBackOff for 7 minutes", series: { [`kube_pod_container_status_waiting_reason{${pod},reason="ImagePullBackOff"}`]: "1x10" }, at: 7, fires: { namespace: "team-vision", pod: "train-abc", container: "main" } },
    { name: "still creating", series: { [`kube_pod_container_status_waiting_reason{${pod},reason="ContainerCreating"}`]: "1x10" }, at: 7 },
  ],
  MysqlDown: [
    { name: "exporter cannot reach MySQL", series: { 'mysql_up{job="mysqld-exporter"}': "0x10" }, at: 5, fires: {} },
    { name: "MySQL up", series: { 'mysql_up{job="mysqld-exporter"}': "1x10" }, at: 5 },
  ],
  MysqlExporterAbsent: [
    { name: "no exporter scraped", series: { 'up{job="kfp-api-server"}': "1x20" }, at: 15, fires: {} },
    { name: "exporter scraped", series: { 'up{job="mysqld-exporter"}': "1x20" }, at: 15 },
  ],
  GpuPodPendingTooLong: [
    {
      name: "a GPU pod pending 25 minutes",
      series: { 'kube_pod_container_resource_requests{namespace="team-vision",pod="train-abc",container="main",resource="nvidia_com_gpu",unit="integer"}': "1x40", 'kube_pod_status_phase{namespace="team-vision",pod="train-abc",phase="Pending"}': "1x40" },
      at: 25,
      fires: { namespace: "team-vision", pod: "train-abc" },
    },
    {
      name: "a GPU pod running",
      series: { 'kube_pod_container_resource_requests{namespace="team-vision",pod="train-abc",container="main",resource="nvidia_com_gpu",unit="integer"}': "1x40", 'kube_pod_status_phase{namespace="team-vision",pod="train-abc",phase="Pending"}': "0x40" },
      at: 25,
    },
    {
      name: "a CPU pod pending",
      series: { 'kube_pod_container_resource_requests{namespace="team-vision",pod="prep",container="main",resource="cpu",unit="core"}': "1x40", 'kube_pod_status_phase{namespace="team-vision",pod="prep",phase="Pending"}': "1x40" },
      at: 25,
    },
  ],
  GpuMemoryNearlyFull: [
    { name: "97% used for 15 minutes", series: { [`DCGM_FI_DEV_FB_USED{${gpu}}`]: "23000x20", [`DCGM_FI_DEV_FB_FREE{${gpu}}`]: "500x20" }, at: 15, fires: { node: "ip-10-0-1-5", gpu: "0", UUID: "GPU-1" } },
    { name: "half used", series: { [`DCGM_FI_DEV_FB_USED{${gpu}}`]: "12000x20", [`DCGM_FI_DEV_FB_FREE{${gpu}}`]: "12000x20" }, at: 15 },
  ],
  GpuXidError: [
    { name: "XID 79 (GPU fell off the bus)", series: { [`DCGM_FI_DEV_XID_ERRORS{${gpu}}`]: "0 0 79 79" }, at: 3, fires: { node: "ip-10-0-1-5", gpu: "0", UUID: "GPU-1" }, value: 79 },
    { name: "no XID", series: { [`DCGM_FI_DEV_XID_ERRORS{${gpu}}`]: "0x5" }, at: 3 },
  ],
  GpuDriverNotPinned: [
    {
      name: "an a10g node on another driver",
      series: { [`DCGM_FI_DEV_GPU_UTIL{${gpu},DCGM_FI_DRIVER_VERSION="570.86.15"}`]: "50x30", 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30" },
      at: 20,
      fires: { node: "ip-10-0-1-5", label_kfp_platform_pool: "a10g", DCGM_FI_DRIVER_VERSION: "570.86.15" },
    },
    {
      name: "an a10g node on the pool's pin",
      series: { [`DCGM_FI_DEV_GPU_UTIL{${gpu},DCGM_FI_DRIVER_VERSION="580.159.03"}`]: "50x30", 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30" },
      at: 20,
    },
    {
      name: "a GPU node in no kit pool",
      series: { [`DCGM_FI_DEV_GPU_UTIL{${gpu},DCGM_FI_DRIVER_VERSION="570.86.15"}`]: "50x30", 'kube_node_labels{node="ip-10-0-1-5"}': "1x30" },
      at: 20,
    },
  ],
  MinioDown: [
    { name: "MinIO target down", series: { 'up{job="minio"}': "0x20" }, at: 10, fires: {} },
    { name: "MinIO up", series: { 'up{job="minio"}': "1x20" }, at: 10 },
  ],
  KubeStateMetricsAbsent: [
    { name: "kube-state-metrics not scraped", series: { 'up{job="kfp-api-server"}': "1x20" }, at: 15, fires: {} },
    { name: "kube-state-metrics scraped", series: { 'up{job="kube-state-metrics"}': "1x20" }, at: 15 },
  ],
  GpuNodeWithoutGpus: [
    {
      name: "an a10g node whose device plugin advertises nothing",
      series: { 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30", 'kube_node_status_allocatable{node="ip-10-0-1-6",resource="nvidia_com_gpu",unit="integer"}': "1x30" },
      at: 20,
      fires: { node: "ip-10-0-1-5", label_kfp_platform_pool: "a10g" },
    },
    {
      name: "an a10g node advertising its GPU",
      series: { 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30", 'kube_node_status_allocatable{node="ip-10-0-1-5",resource="nvidia_com_gpu",unit="integer"}': "1x30" },
      at: 20,
    },
    { name: "a CPU node", series: { 'kube_node_labels{node="ip-10-0-2-1",label_kfp_platform_pool="system"}': "1x30" }, at: 20 },
  ],
  DcgmExporterDown: [
    {
      name: "an a10g node with no exporter scraped",
      series: { 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30", 'up{job="dcgm-exporter",node="ip-10-0-1-6"}': "1x30" },
      at: 20,
      fires: { node: "ip-10-0-1-5", label_kfp_platform_pool: "a10g" },
    },
    {
      name: "an a10g node whose exporter is scraped",
      series: { 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x30", 'up{job="dcgm-exporter",node="ip-10-0-1-5"}': "1x30" },
      at: 20,
    },
  ],
};

/**
 * The alert that notices when a scrape job's exporter is down or was never scraped: with it gone, the
 * alerts built on its series go quiet, and this one must fire instead.
 */
export const WATCHER: Readonly<Record<string, { alert: string; series?: Record<string, string>; labels?: Record<string, string> }>> = {
  "argo-workflow-controller": { alert: "ArgoControllerDown" },
  "kfp-api-server": { alert: "KfpApiServerDown" },
  "mysqld-exporter": { alert: "MysqlExporterAbsent" },
  "kube-state-metrics": { alert: "KubeStateMetricsAbsent" },
  minio: { alert: "MinioDown" },
  // Per node: a GPU pool node whose exporter target is down.
  "dcgm-exporter": {
    alert: "DcgmExporterDown",
    series: { 'kube_node_labels{node="ip-10-0-1-5",label_kfp_platform_pool="a10g"}': "1x40", 'up{job="dcgm-exporter",node="ip-10-0-1-5"}': "0x40" },
    labels: { node: "ip-10-0-1-5", label_kfp_platform_pool: "a10g" },
  },
};

/**
 * For each alert, two more cases: before any of its input series exists (a fresh install, a restarted
 * exporter, a counter never initialised), and with its exporter down. An alert built on absent() fires in
 * both; every other one is silent, and then the exporter's watcher (above) must fire on the same series.
 */
export function inputCases(alert: string, source: string, absentStyle: boolean): { case: AlertCase; watcher?: [string, AlertCase] }[] {
  const noInput: AlertCase = { name: "none of its input series exist yet", series: { 'up{job="unrelated"}': "1x40" }, at: 30, ...(absentStyle ? { fires: {} } : {}) };
  const watch = WATCHER[source];
  const down: AlertCase = { name: `its exporter (${source}) is down`, series: { [`up{job="${source}"}`]: "0x40", ...watch?.series }, at: 30, ...(absentStyle ? { fires: {} } : {}) };
  return [
    { case: noInput },
    {
      case: down,
      ...(watch && !absentStyle ? { watcher: [watch.alert, { ...down, name: `${alert}'s exporter down: ${watch.alert} notices`, fires: watch.labels ?? {} }] as [string, AlertCase] } : {}),
    },
  ];
}
