// The platform overview: are runs flowing, is Argo keeping up, is etcd filling, are KFP's components and
// its database healthy, which steps die of memory or images.
import { JOBS, SUCCESS_RATE, successRate } from "../alerts";
import type { Dashboard } from "./model";

export function platformDashboard(platformNamespace: string): Dashboard {
  return {
    uid: "kfp-platform-overview",
    title: "KFP platform overview",
    description: "Pipeline runs, Argo's controller, etcd pressure, KFP's components and database (kfp-platform, docs/monitoring.md).",
    rows: [
      [
        { title: "Workflows by phase", kind: "timeseries", width: 12, queries: [{ expr: "sum by (status) (argo_workflows_gauge)", legend: "{{status}}" }] },
        {
          title: `Pipeline success rate (${SUCCESS_RATE.window})`,
          kind: "stat",
          width: 6,
          unit: "percentunit",
          // 0%, not "No data", when runs fail and none has succeeded since the controller started.
          queries: [{ expr: successRate(SUCCESS_RATE.window) }],
        },
        { title: "Workflow objects in etcd", kind: "stat", width: 6, queries: [{ expr: "sum(argo_workflows_gauge)" }] },
      ],
      [
        { title: "Argo queue depth", kind: "timeseries", width: 12, queries: [{ expr: "max by (queue_name) (argo_workflows_queue_depth_gauge)", legend: "{{queue_name}}" }] },
        { title: "Argo controller errors (10m)", kind: "timeseries", width: 12, queries: [{ expr: "sum by (cause) (increase(argo_workflows_error_count[10m]))", legend: "{{cause}}" }] },
      ],
      [
        { title: "Scrape targets up", kind: "table", width: 8, queries: [{ expr: `max by (job) (up{job=~"${Object.values(JOBS).join("|")}"})` }] },
        {
          title: "Unavailable replicas",
          kind: "timeseries",
          width: 8,
          queries: [{ expr: `kube_deployment_spec_replicas{namespace="${platformNamespace}"} - kube_deployment_status_replicas_available{namespace="${platformNamespace}"}`, legend: "{{deployment}}" }],
        },
        { title: "Runs created per minute", kind: "timeseries", width: 8, queries: [{ expr: "sum(rate(run_server_create_requests[5m])) * 60", legend: "runs/min" }] },
      ],
      [
        { title: "Database up", kind: "stat", width: 6, queries: [{ expr: "max(mysql_up)" }] },
        { title: "Database connections", kind: "timeseries", width: 9, queries: [{ expr: "max(mysql_global_status_threads_connected)", legend: "connections" }] },
        { title: "Database queries per second", kind: "timeseries", width: 9, queries: [{ expr: "sum(rate(mysql_global_status_queries[5m]))", legend: "queries/s" }] },
      ],
      [
        { title: "Containers OOMKilled", kind: "table", width: 12, queries: [{ expr: 'max by (namespace, pod, container) (kube_pod_container_status_terminated_reason{reason="OOMKilled"}) == 1' }] },
        {
          title: "Image pulls failing",
          kind: "table",
          width: 12,
          queries: [{ expr: 'max by (namespace, pod, container, reason) (kube_pod_container_status_waiting_reason{reason=~"ImagePullBackOff|ErrImagePull"}) == 1' }],
        },
      ],
    ],
  };
}
