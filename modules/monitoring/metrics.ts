// The metrics the platform's exporters emit, by exporter, with where each list was read. Alert rules and
// dashboard queries may name only these (a test checks every expression), so a renamed metric after a
// version bump fails the tests instead of leaving a silent alert.
import { DCGM_COUNTERS } from "../gpu/daemons";

export interface MetricSource {
  readonly source: string;
  readonly metrics: readonly string[];
}

export const METRICS: Readonly<Record<string, MetricSource>> = {
  prometheus: {
    source: "Prometheus itself: `up` per scrape target (prometheus.io/docs, Jobs and instances).",
    metrics: ["up"],
  },
  argo: {
    source:
      "Argo Workflows v3.6.7 workflow/metrics/*.go; the OpenTelemetry Prometheus exporter adds the argo_workflows_ prefix and no _total or unit suffix (util/telemetry/exporter_prometheus.go, WithoutCounterSuffixes, WithoutUnits). argo_workflows_gauge is labelled `status`, the counters `phase`.",
    metrics: [
      "argo_workflows_gauge",
      "argo_workflows_total_count",
      "argo_workflows_queue_depth_gauge",
      "argo_workflows_workers_busy_count",
      "argo_workflows_error_count",
      "argo_workflows_pods_gauge",
      "argo_workflows_pod_pending_count",
      "argo_workflows_k8s_request_total",
      "argo_workflows_is_leader",
    ],
  },
  kfpApiServer: {
    source:
      "KFP 2.14.0 backend/src/apiserver/server/run_server.go (run_server_* counters, no _total) and resource/resource_manager.go (workflow run gauges labelled profile and workflow, raised when the persistence agent reports a finished run).",
    metrics: ["run_server_create_requests", "run_server_run_count", "resource_manager_workflow_runs_success", "resource_manager_workflow_runs_failed"],
  },
  kubeStateMetrics: {
    source: "kube-state-metrics v2.20.0 docs/metrics (pod, node and deployment metrics; node labels only for keys in --metric-labels-allowlist).",
    metrics: [
      "kube_pod_container_status_terminated_reason",
      "kube_pod_container_status_last_terminated_reason",
      "kube_pod_container_status_restarts_total",
      "kube_pod_container_status_waiting_reason",
      "kube_pod_container_resource_requests",
      "kube_pod_status_phase",
      "kube_node_labels",
      "kube_node_status_allocatable",
      "kube_deployment_status_replicas_available",
      "kube_deployment_spec_replicas",
    ],
  },
  dcgm: {
    source: "The DCGM exporter's counters the kit configures (modules/gpu/daemons.ts DCGM_COUNTERS); DCGM_FI_DRIVER_VERSION is a label on every series.",
    metrics: DCGM_COUNTERS.filter((line) => !line.includes(", label,")).map((line) => line.split(",")[0]),
  },
  mysqld: {
    source: "mysqld_exporter collector/exporter.go (mysql_up) and the default global_status collector (mysql_global_status_threads_connected, _queries).",
    metrics: ["mysql_up", "mysql_global_status_threads_connected", "mysql_global_status_queries"],
  },
  minio: {
    source: "MinIO RELEASE.2019-08-14T20-37-41Z cmd/metrics.go at /minio/prometheus/metrics (no auth in that release).",
    metrics: ["minio_disk_storage_used_bytes", "minio_disk_storage_available_bytes"],
  },
};

export const KNOWN_METRICS: ReadonlySet<string> = new Set(Object.values(METRICS).flatMap((m) => m.metrics));

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"]);

/**
 * Metric names a PromQL expression selects: identifiers outside strings, label matchers, range and
 * grouping lists that are not followed by `(` (functions and aggregations) nor keywords.
 */
export function metricNames(expr: string): string[] {
  let rest = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  rest = rest.replace(/\boffset\s+\d+[smhdwy]/g, " ");
  const names = new Set<string>();
  for (const m of rest.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name.toLowerCase()) || /^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}
