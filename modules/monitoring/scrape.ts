// What Prometheus scrapes beyond the chart's own targets: PodMonitors for the components upstream ships
// without one. Each sets its `job` label, so alerts (alerts.ts JOBS) name exactly one scrape job.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DcgmExporterPods } from "../gpu";
import { kitMeta } from "../k8s/metadata";
import { JOBS } from "./alerts";

export interface ScrapeTarget {
  /** The job label, also the PodMonitor's name unless `name` is set (several monitors of one job). */
  readonly job: string;
  readonly name?: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
  /** Name of the container port that serves metrics. */
  readonly port: string;
  readonly path?: string;
  /** Argo's controller serves TLS with a self-signed certificate from v3.6 (metricsConfig.secure defaults to true). */
  readonly selfSignedTls?: boolean;
  /** Keep the series' own namespace/pod labels (DCGM names the pod using the GPU, not itself). */
  readonly honorLabels?: boolean;
  /** Add the node the pod runs on as `node` (DCGM: which node's GPU). */
  readonly nodeLabel?: boolean;
}

/** The platform's scrape targets; GPU and MinIO ones only where they exist. */
export function platformTargets(args: { platformNamespace: string; dcgmExporters: readonly DcgmExporterPods[]; minio: boolean; monitoringNamespace: string; mysqldExporter: boolean }): ScrapeTarget[] {
  const ns = args.platformNamespace;
  return [
    // KFP 2.14.0's API server: /metrics on its http port 8888 (its Service carries prometheus.io/scrape).
    { job: JOBS.kfpApiServer, namespace: ns, podLabels: { app: "ml-pipeline" }, port: "http", path: "/metrics" },
    // Argo v3.6.7's controller: port `metrics` (9090), TLS by default (util/telemetry, config.go GetSecure(true)).
    { job: JOBS.argoController, namespace: ns, podLabels: { app: "workflow-controller" }, port: "metrics", path: "/metrics", selfSignedTls: true },
    ...(args.mysqldExporter ? [{ job: JOBS.mysqldExporter, namespace: args.monitoringNamespace, podLabels: { "app.kubernetes.io/name": JOBS.mysqldExporter }, port: "metrics", path: "/metrics" }] : []),
    // DCGM: the kit's exporter and the GPU Operator's, whichever the pools run, under one job so the GPU
    // alerts and dashboards read both alike.
    ...args.dcgmExporters.map((e) => ({ job: JOBS.dcgmExporter, name: e.name, namespace: e.namespace, podLabels: e.podLabels, port: e.port, path: "/metrics", honorLabels: true, nodeLabel: true })),
    // MinIO RELEASE.2019-08-14: /minio/prometheus/metrics, unauthenticated in that release.
    ...(args.minio ? [{ job: JOBS.minio, namespace: ns, podLabels: { app: "minio" }, port: "http", path: "/minio/prometheus/metrics" }] : []),
  ];
}

/** A PodMonitor in the monitoring namespace for one target, labelled for the chart's Prometheus to select. */
export function podMonitor(resourceName: string, target: ScrapeTarget, monitoringNamespace: string, selectLabels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
  return new k8s.apiextensions.CustomResource(
    resourceName,
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: kitMeta(target.name ?? target.job, monitoringNamespace, selectLabels),
      spec: {
        selector: { matchLabels: target.podLabels },
        namespaceSelector: { matchNames: [target.namespace] },
        podMetricsEndpoints: [
          {
            port: target.port,
            path: target.path ?? "/metrics",
            interval: "30s",
            ...(target.selfSignedTls ? { scheme: "https", tlsConfig: { insecureSkipVerify: true } } : {}),
            ...(target.honorLabels ? { honorLabels: true } : {}),
            relabelings: [
              { action: "replace", targetLabel: "job", replacement: target.job },
              ...(target.nodeLabel ? [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }] : []),
            ],
          },
        ],
      },
    },
    opts,
  );
}
