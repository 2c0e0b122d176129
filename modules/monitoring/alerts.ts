// The platform's alerts, one typed source: each is rendered into a PrometheusRule (rules.ts), unit-tested
// with promtool (test/alerts.test.ts) and explained in docs/runbook.md under its own heading. Metric
// names are the pinned exporters' (metrics.ts); thresholds that follow from the stack are derived here.
import { workflowObjectsBound } from "../config/sizing";

export type Severity = "critical" | "warning";

export interface Alert {
  readonly name: string;
  /** Rule group (one per area). */
  readonly group: "kfp" | "argo" | "workloads" | "gpu" | "database";
  readonly expr: string;
  /** How long the condition must hold ("0m": at once). */
  readonly for: string;
  readonly severity: Severity;
  /** One line for a pager; may use {{ $labels.x }} and {{ $value }}. */
  readonly summary: string;
  /** Heading of its section in docs/runbook.md (the anchor is derived from it). */
  readonly runbook: string;
  /**
   * The scrape job its input series come from. When that exporter is down or not yet scraped the alert
   * cannot see its condition, so another alert must notice the exporter instead (tests hold every pair).
   */
  readonly source: (typeof JOBS)[keyof typeof JOBS];
}

/** Scrape jobs the kit's monitors set (relabelled `job`), so `up` and absent() name them exactly. */
export const JOBS = {
  argoController: "argo-workflow-controller",
  kfpApiServer: "kfp-api-server",
  mysqldExporter: "mysqld-exporter",
  dcgmExporter: "dcgm-exporter",
  minio: "minio",
  /** kube-prometheus-stack's ServiceMonitor for kube-state-metrics (its jobLabel: the Service's app.kubernetes.io/name). */
  kubeStateMetrics: "kube-state-metrics",
} as const;

/** Node label kube-state-metrics exports (allow-listed) so GPU series can be joined to their pool. */
export const POOL_NODE_LABEL = "label_kfp_platform_pool";

export interface AlertContext {
  /** Namespace of KFP's control plane. */
  readonly platformNamespace: string;
  /** Argo's cap on running workflows (0: none). */
  readonly parallelism: number;
  /** KFP's TTL of finished Workflows (persistenceAgent.ttlSecondsAfterWorkflowFinish). */
  readonly workflowTtlSeconds: number;
  /** Argo's reconcile workers. */
  readonly workflowWorkers: number;
  /** GPU pools and the driver each is pinned to; none: no GPU alerts. */
  readonly gpuPools: readonly { readonly name: string; readonly driverVersion: string }[];
  /** Minutes a GPU pod may stay Pending before it pages. */
  readonly gpuPendingMinutes: number;
  /** Whether the object store is the kit's in-cluster MinIO (scraped, so watched). */
  readonly minio: boolean;
}

/** Success rate below which pipelines page, and the fewest finished runs in the window to judge it. */
export const SUCCESS_RATE = { min: 0.85, window: "1h", minRuns: 5 } as const;

/** Workflow objects above which ArgoWorkflowObjectsHigh fires: config/sizing.ts, from the cap and KFP's TTL. */
export { workflowObjectsBound };

/** A Markdown heading's GitHub anchor. */
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}

const finished = 'phase=~"Succeeded|Failed|Error"';
/**
 * Workflows KFP's API server recorded as finished in the last 30 minutes. Its gauges have a series per
 * workflow name, incremented on each final report (resource_manager.go:1443-1454 at 2.14.0): a new
 * series is a new run, a grown one a retried run (RetryRun re-creates the Workflow under the same name).
 * After an API server restart every series is new, so a restart never looks like silence.
 */
const reported = (metric: string) => `((count(${metric} unless ${metric} offset 30m) or vector(0)) + (count(${metric} > ${metric} offset 30m) or vector(0)))`;
/**
 * Argo never zero-initialises its phase counter (workflow/metrics/counter_workflow_phase.go at v3.6.7;
 * compare counter_error.go), so after a controller restart a phase that has not happened has no series:
 * sums over it are empty, not 0.
 */
export const orZero = (expr: string) => `(${expr} or vector(0))`;

/** Share of finished runs that succeeded over the window; 0 (not empty) when runs finished but none succeeded. */
export const successRate = (window: string) =>
  `${orZero(`sum(increase(argo_workflows_total_count{phase="Succeeded"}[${window}]))`)} / sum(increase(argo_workflows_total_count{${finished}}[${window}]))`;

export function platformAlerts(ctx: AlertContext): Alert[] {
  const ns = ctx.platformNamespace;
  const alerts: Alert[] = [
    {
      name: "KfpPipelineSuccessRateLow",
      group: "kfp",
      expr:
        `${successRate(SUCCESS_RATE.window)} < ${SUCCESS_RATE.min}` +
        ` and sum(increase(argo_workflows_total_count{${finished}}[${SUCCESS_RATE.window}])) >= ${SUCCESS_RATE.minRuns}`,
      for: "15m",
      severity: "warning",
      summary: `Fewer than ${SUCCESS_RATE.min * 100}% of pipeline runs succeeded in the last hour ({{ $value | humanizePercentage }}).`,
      runbook: "KfpPipelineSuccessRateLow",
      source: JOBS.argoController,
    },
    {
      name: "KfpApiServerDown",
      group: "kfp",
      expr: `absent(up{job="${JOBS.kfpApiServer}"} == 1)`,
      for: "5m",
      severity: "critical",
      summary: "No KFP API server answers on /metrics: the UI, the SDK and run reporting are down.",
      runbook: "KfpApiServerDown",
      source: JOBS.kfpApiServer,
    },
    {
      name: "KfpPersistenceAgentNotSyncing",
      group: "kfp",
      expr:
        `sum(increase(argo_workflows_total_count{${finished}}[30m])) > 0` +
        ` and on() (${reported("resource_manager_workflow_runs_success")} + ${reported("resource_manager_workflow_runs_failed")}) == 0`,
      for: "15m",
      severity: "warning",
      summary: "Argo finished runs in the last 30 minutes, but KFP recorded none: the persistence agent is not reporting.",
      runbook: "KfpPersistenceAgentNotSyncing",
      source: JOBS.kfpApiServer,
    },
    {
      name: "KfpComponentUnavailable",
      group: "kfp",
      expr: `kube_deployment_status_replicas_available{namespace="${ns}"} < kube_deployment_spec_replicas{namespace="${ns}"}`,
      for: "10m",
      severity: "warning",
      summary: "Deployment {{ $labels.deployment }} in {{ $labels.namespace }} has fewer available replicas than it asks for.",
      runbook: "KfpComponentUnavailable",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "ArgoControllerDown",
      group: "argo",
      expr: `absent(up{job="${JOBS.argoController}"} == 1)`,
      for: "5m",
      severity: "critical",
      summary: "No Argo workflow controller answers on /metrics: no run starts, advances or finishes.",
      runbook: "ArgoControllerDown",
      source: JOBS.argoController,
    },
    {
      name: "ArgoWorkflowQueueBacklog",
      group: "argo",
      expr: `max(argo_workflows_queue_depth_gauge{queue_name="workflow_queue"}) > ${2 * ctx.workflowWorkers}`,
      for: "15m",
      severity: "warning",
      summary: `Argo's workflow queue has held more than ${2 * ctx.workflowWorkers} workflows (twice its ${ctx.workflowWorkers} workers) for 15 minutes ({{ $value }}).`,
      runbook: "ArgoWorkflowQueueBacklog",
      source: JOBS.argoController,
    },
    {
      name: "ArgoControllerErrors",
      group: "argo",
      expr: "sum by (cause) (increase(argo_workflows_error_count[10m])) > 0",
      for: "0m",
      severity: "warning",
      summary: "The Argo controller reported {{ $labels.cause }} errors in the last 10 minutes.",
      runbook: "ArgoControllerErrors",
      source: JOBS.argoController,
    },
    {
      name: "ArgoWorkflowObjectsHigh",
      group: "argo",
      expr: `sum(argo_workflows_gauge) > ${workflowObjectsBound(ctx.parallelism, ctx.workflowTtlSeconds)}`,
      for: "15m",
      severity: "warning",
      summary: `More than ${workflowObjectsBound(ctx.parallelism, ctx.workflowTtlSeconds)} Workflow objects are in etcd ({{ $value }}), more than the cap and KFP's TTL keep (docs/scaling.md): finished Workflows are not being deleted, or the cap was lifted.`,
      runbook: "ArgoWorkflowObjectsHigh",
      source: JOBS.argoController,
    },
    {
      name: "PodOOMKilled",
      group: "workloads",
      // Step pods never restart (restartPolicy Never): their kill is the current terminated reason.
      expr:
        'max by (namespace, pod, container) (kube_pod_container_status_terminated_reason{reason="OOMKilled"}) == 1' +
        ' or (max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}) == 1' +
        " and on (namespace, pod, container) max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m])) > 0)",
      for: "0m",
      severity: "warning",
      summary: "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} was killed for exceeding its memory limit.",
      runbook: "PodOOMKilled",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "PodImagePullFailing",
      group: "workloads",
      expr: 'max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason=~"ImagePullBackOff|ErrImagePull"}) == 1',
      for: "5m",
      severity: "warning",
      summary: "{{ $labels.namespace }}/{{ $labels.pod }} cannot pull the image of {{ $labels.container }}.",
      runbook: "PodImagePullFailing",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "MysqlDown",
      group: "database",
      expr: "max(mysql_up) == 0",
      for: "2m",
      severity: "critical",
      summary: "mysqld_exporter cannot reach KFP's database: runs, the cache and ML Metadata stop.",
      runbook: "MysqlDown",
      source: JOBS.mysqldExporter,
    },
    {
      name: "MysqlExporterAbsent",
      group: "database",
      expr: `absent(up{job="${JOBS.mysqldExporter}"} == 1)`,
      for: "10m",
      severity: "warning",
      summary: "No mysqld_exporter is scraped: the database is unwatched.",
      runbook: "MysqlExporterAbsent",
      source: JOBS.mysqldExporter,
    },
    {
      name: "KubeStateMetricsAbsent",
      group: "workloads",
      expr: `absent(up{job="${JOBS.kubeStateMetrics}"} == 1)`,
      for: "10m",
      severity: "warning",
      summary: "kube-state-metrics is not scraped: the alerts on pods, deployments and GPU scheduling cannot fire.",
      runbook: "KubeStateMetricsAbsent",
      source: JOBS.kubeStateMetrics,
    },
    ...(ctx.minio
      ? [
          {
            name: "MinioDown",
            group: "database" as const,
            expr: `absent(up{job="${JOBS.minio}"} == 1)`,
            for: "5m",
            severity: "critical" as const,
            summary: "The in-cluster MinIO does not answer: artifacts, pipeline packages and logs cannot be read or written.",
            runbook: "MinioDown",
            source: JOBS.minio,
          },
        ]
      : []),
  ];
  if (ctx.gpuPools.length === 0) return alerts;
  // DCGM series carry the node their exporter runs on (the PodMonitor's relabelling); the pool comes from
  // the node's kfp-platform/pool label.
  const poolNodes = (pool: string) => `max by (node, ${POOL_NODE_LABEL}) (kube_node_labels{${POOL_NODE_LABEL}="${pool}"})`;
  const gpuNodes = `max by (node, ${POOL_NODE_LABEL}) (kube_node_labels{${POOL_NODE_LABEL}=~"${ctx.gpuPools.map((p) => p.name).join("|")}"})`;
  return [
    ...alerts,
    {
      name: "GpuNodeWithoutGpus",
      group: "gpu",
      // The device plugin advertises nvidia.com/gpu; a GPU pool node without it runs no GPU step (the plugin
      // cannot reach the driver, or is not running there).
      expr: `${gpuNodes} unless on (node) (kube_node_status_allocatable{resource="nvidia_com_gpu"} > 0)`,
      for: "15m",
      severity: "critical",
      summary: "Node {{ $labels.node }} of GPU pool {{ $labels." + POOL_NODE_LABEL + " }} advertises no nvidia.com/gpu: its device plugin is not serving the GPUs.",
      runbook: "GpuNodeWithoutGpus",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "DcgmExporterDown",
      group: "gpu",
      // Every GPU pool node should have a scraped DCGM exporter; without one its GPU alerts go quiet.
      expr: `${gpuNodes} unless on (node) (max by (node) (up{job="${JOBS.dcgmExporter}"}) == 1)`,
      for: "15m",
      severity: "warning",
      summary: "No DCGM exporter is scraped on GPU node {{ $labels.node }}: its GPU memory, XID and driver alerts cannot fire.",
      runbook: "DcgmExporterDown",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "GpuPodPendingTooLong",
      group: "gpu",
      expr:
        'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > 0' +
        ' and on (namespace, pod) max by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) == 1',
      for: `${ctx.gpuPendingMinutes}m`,
      severity: "warning",
      summary: `GPU pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending for over ${ctx.gpuPendingMinutes} minutes.`,
      runbook: "GpuPodPendingTooLong",
      source: JOBS.kubeStateMetrics,
    },
    {
      name: "GpuMemoryNearlyFull",
      group: "gpu",
      expr: "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.95",
      for: "10m",
      severity: "warning",
      summary: "GPU {{ $labels.gpu }} on {{ $labels.node }} has used over 95% of its memory for 10 minutes.",
      runbook: "GpuMemoryNearlyFull",
      source: JOBS.dcgmExporter,
    },
    {
      name: "GpuXidError",
      group: "gpu",
      expr: "max by (node, gpu, UUID) (DCGM_FI_DEV_XID_ERRORS) > 0",
      for: "0m",
      severity: "critical",
      summary: "GPU {{ $labels.gpu }} on {{ $labels.node }} reported XID error {{ $value }}.",
      runbook: "GpuXidError",
      source: JOBS.dcgmExporter,
    },
    {
      name: "GpuDriverNotPinned",
      group: "gpu",
      // One selector per pool: the pool's nodes running any driver but the pool's pin.
      expr: ctx.gpuPools
        .map(
          (p) =>
            `count by (node, ${POOL_NODE_LABEL}, DCGM_FI_DRIVER_VERSION) (DCGM_FI_DEV_GPU_UTIL{DCGM_FI_DRIVER_VERSION!="${p.driverVersion}"} * on (node) group_left (${POOL_NODE_LABEL}) ${poolNodes(p.name)})`,
        )
        .join(" or "),
      for: "15m",
      severity: "warning",
      summary: "Node {{ $labels.node }} of GPU pool {{ $labels." + POOL_NODE_LABEL + " }} runs NVIDIA driver {{ $labels.DCGM_FI_DRIVER_VERSION }}, not the pool's pin.",
      runbook: "GpuDriverNotPinned",
      source: JOBS.dcgmExporter,
    },
  ];
}
