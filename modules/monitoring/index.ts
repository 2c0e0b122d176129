// Monitoring on every target: kube-prometheus-stack as a pinned Helm v3 release (Prometheus, Alertmanager,
// Grafana, kube-state-metrics, node-exporter), its CRDs from their own release so a chart bump upgrades
// them, PodMonitors for what upstream does not expose (KFP's API server, Argo's controller, DCGM,
// mysqld_exporter, MinIO), the platform's alerts as a PrometheusRule and its dashboards as ConfigMaps the
// Grafana sidecar loads. Knows no cloud: it takes the foundation's database login and GPU pools.
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { alertmanagerConfig } from "./alertmanager";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database, GpuPool } from "../foundation/contract";
import type { StackConfig } from "../config/schema";
import { dcgmExporters } from "../gpu";
import type { ImageResolver } from "../images";
import { kitMeta } from "../k8s/metadata";
import { podSecurityLabels } from "../k8s/pod-security";
import { charts } from "../versions";
import { platformAlerts } from "./alerts";
import { stackDashboards } from "./dashboards";
import { grafanaJson } from "./dashboards/model";
import { mysqldExporter } from "./mysqld-exporter";
import { ruleGroups } from "./rules";
import { platformTargets, podMonitor } from "./scrape";
import { DASHBOARD_LABEL, stackValues } from "./stack-values";

/** Helm release name; the chart's Prometheus selects monitors and rules labelled `release: <this>`. */
export const STACK_RELEASE = "kube-prometheus-stack";
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const ALERTS_RULE = "kfp-platform-alerts";

export interface MonitoringArgs {
  readonly settings: StackConfig["monitoring"];
  readonly platformNamespace: string;
  readonly kfp: Pick<StackConfig["kfp"]["argo"], "parallelism" | "workflowWorkers"> & { readonly workflowTtlSeconds: number };
  readonly gpuPools: readonly GpuPool[];
  readonly database: Database;
  readonly minio: boolean;
  /** Whether the cluster's DNS is CoreDNS, which the chart scrapes by default (not on GKE: kube-dns). */
  readonly coreDns: boolean;
  /** StorageClass of Prometheus's volumes; unset uses the cluster's default. */
  readonly storageClass?: string;
  readonly images: ImageResolver;
  /** Each alert receiver's credential by name (kfp-platform:alertReceiverSecrets): a Pulumi secret. */
  readonly receiverCredentials: pulumi.Output<Record<string, string>>;
  readonly provider: k8s.Provider;
  /** What must exist first (the scraped components' namespaces). */
  readonly dependsOn: pulumi.Resource[];
}

/** The Secret holding alertmanager.yaml (the operator mounts it at /etc/alertmanager/config). */
export const ALERTMANAGER_CONFIG_SECRET = "kfp-alertmanager-config";

export class Monitoring extends pulumi.ComponentResource {
  readonly namespace: string;
  /** `kubectl port-forward` target of Grafana. */
  readonly grafanaService: string;
  readonly grafanaAdminPassword: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:monitoring:Monitoring", name, {}, opts);
    const s = args.settings;
    const ns = s.namespace;
    this.namespace = ns;
    const k8sOpts = { parent: this, provider: args.provider };
    // node-exporter reads the host (hostNetwork, hostPID, host paths): privileged Pod Security.
    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: kitMeta(ns, undefined, podSecurityLabels("privileged")) }, { ...k8sOpts, dependsOn: args.dependsOn });
    const inNamespace = { ...k8sOpts, dependsOn: [namespace] };

    this.grafanaAdminPassword = pulumi.secret(new random.RandomPassword(`${name}-grafana-admin`, { length: 24, special: false }, { parent: this }).result);
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      { metadata: kitMeta(GRAFANA_ADMIN_SECRET, ns), type: "Opaque", stringData: { "admin-user": "admin", "admin-password": this.grafanaAdminPassword } },
      inNamespace,
    );

    // Alertmanager's whole configuration, credentials included, in a Secret of the kit's (never in values).
    const alertingSecret = new k8s.core.v1.Secret(
      `${name}-alertmanager-config`,
      {
        metadata: kitMeta(ALERTMANAGER_CONFIG_SECRET, ns),
        type: "Opaque",
        stringData: { "alertmanager.yaml": pulumi.secret(args.receiverCredentials.apply((c) => stringify(alertmanagerConfig(s.alerting, c)))) },
      },
      inNamespace,
    );

    // CRDs first, from the chart that ships them as templates: Helm upgrades those with the chart.
    const crds = new k8s.helm.v3.Release(
      `${name}-operator-crds`,
      {
        name: charts.prometheusOperatorCrds.chart,
        namespace: ns,
        chart: charts.prometheusOperatorCrds.chart,
        version: charts.prometheusOperatorCrds.version,
        repositoryOpts: { repo: charts.prometheusOperatorCrds.repository },
      },
      inNamespace,
    );
    const stack = new k8s.helm.v3.Release(
      `${name}-stack`,
      {
        name: STACK_RELEASE,
        namespace: ns,
        chart: charts.kubePrometheusStack.chart,
        version: charts.kubePrometheusStack.version,
        repositoryOpts: { repo: charts.kubePrometheusStack.repository },
        skipCrds: true,
        values: stackValues({
          images: args.images,
          retention: s.retention,
          storageSize: s.storageSize,
          storageClass: args.storageClass,
          replicas: s.replicas,
          resources: s.resources,
          grafanaAdminSecret: GRAFANA_ADMIN_SECRET,
          dashboardsNamespace: ns,
          coreDns: args.coreDns,
          alertmanagerConfigSecret: ALERTMANAGER_CONFIG_SECRET,
        }),
        // Prometheus and Grafana come up within minutes; Helm waits for them.
        timeout: 900,
      },
      { ...k8sOpts, dependsOn: [namespace, crds, adminSecret, alertingSecret] },
    );
    this.grafanaService = "grafana";

    const selected = { release: STACK_RELEASE };
    const afterCrds = { ...k8sOpts, dependsOn: [namespace, crds] };
    const exporter = args.database.monitor
      ? mysqldExporter(`${name}-mysqld-exporter`, { namespace: ns, login: args.database.monitor, images: args.images, resources: s.resources.mysqldExporter, dependsOn: [namespace, ...args.database.readyResources] }, k8sOpts)
      : undefined;
    for (const target of platformTargets({
      platformNamespace: args.platformNamespace,
      dcgmExporters: dcgmExporters(args.gpuPools),
      minio: args.minio,
      monitoringNamespace: ns,
      mysqldExporter: exporter !== undefined,
    })) {
      podMonitor(`${name}-${target.name ?? target.job}`, target, ns, selected, afterCrds);
    }

    const alerts = platformAlerts({
      platformNamespace: args.platformNamespace,
      parallelism: args.kfp.parallelism,
      workflowTtlSeconds: args.kfp.workflowTtlSeconds,
      workflowWorkers: args.kfp.workflowWorkers,
      gpuPools: args.gpuPools.map((p) => ({ name: p.name, driverVersion: p.driverVersion })),
      gpuPendingMinutes: s.gpuPendingMinutes,
      minio: args.minio,
    });
    new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: kitMeta(ALERTS_RULE, ns, selected), spec: { groups: ruleGroups(alerts, s.runbookBaseUrl) } },
      afterCrds,
    );

    for (const dashboard of stackDashboards(args.platformNamespace, args.gpuPools.length > 0)) {
      new k8s.core.v1.ConfigMap(
        `${name}-dashboard-${dashboard.uid}`,
        {
          metadata: kitMeta(`dashboard-${dashboard.uid}`, ns, { ...DASHBOARD_LABEL }, { grafana_folder: "KFP platform" }),
          data: { [`${dashboard.uid}.json`]: JSON.stringify(grafanaJson(dashboard), null, 1) },
        },
        inNamespace,
      );
    }
    this.registerOutputs({ namespace: ns, release: stack.status.name, grafana: this.grafanaService });
  }
}
