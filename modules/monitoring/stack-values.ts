// Typed values for kube-prometheus-stack 88.5.3 (keys read in prometheus-community/helm-charts at tag
// kube-prometheus-stack-88.5.3: values.yaml and the kube-state-metrics, prometheus-node-exporter and
// grafana subcharts). Every image comes from the versions table through the resolver (so a cache or
// mirror serves it), every container is sized, and the chart's own CRDs are off (a separate release
// of prometheus-operator-crds installs and upgrades them).
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";
import type { ImageName } from "../versions";
import { POOL_LABEL } from "../foundation/gpu-pools";
import { SYSTEM_POOL_TOLERATIONS } from "../k8s/placement";

export interface StackValuesArgs {
  readonly images: ImageResolver;
  readonly retention: string;
  readonly storageSize?: string;
  readonly storageClass?: string;
  readonly replicas: number;
  readonly resources: Readonly<Record<"prometheus" | "alertmanager" | "operator" | "configReloader" | "grafana" | "grafanaSidecar" | "kubeStateMetrics" | "nodeExporter" | "webhookJobs", ContainerResources>>;
  /** Secret with keys admin-user and admin-password. */
  readonly grafanaAdminSecret: string;
  /** Namespace the Grafana sidecar reads dashboard ConfigMaps from. */
  readonly dashboardsNamespace: string;
  /** Secret with the kit's alertmanager.yaml (the chart then makes none: useExistingSecret). */
  readonly alertmanagerConfigSecret: string;
  /** Whether the cluster's DNS is CoreDNS (metrics on 9153); GKE runs kube-dns, which serves none there. */
  readonly coreDns: boolean;
}

/** The chart's scrape targets for control-plane components that the kit turns off (values keys). */
export const UNREACHABLE_CONTROL_PLANE = ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"] as const;

/** Label and value the Grafana sidecar loads dashboards by (the chart's defaults, set explicitly). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export function stackValues(args: StackValuesArgs) {
  // kube-prometheus-stack 88.5.3's own images and Grafana 12.11.1's add "@sha256:" to a bare-hex sha
  // (e.g. templates/_helpers.tpl:55, prometheus-operator/deployment.yaml:54; grafana _pod.tpl:1247).
  const image = (name: ImageName) => args.images.chartImage(name);
  const r = args.resources;
  return {
    crds: { enabled: false },
    // Every pod of the release tolerates the system pool's taint (modules/k8s/placement.ts); node-exporter's
    // chart default already tolerates every NoSchedule taint.
    // Control-plane targets nobody can scrape here: EKS and GKE hide the controller manager, scheduler
    // and etcd; kind, k3d and minikube bind them (and kube-proxy's metrics) to 127.0.0.1. Scraping them
    // would only page with *Down alerts, so neither they nor their default rules are installed.
    ...Object.fromEntries(UNREACHABLE_CONTROL_PLANE.map((component) => [component, { enabled: false }])),
    defaultRules: { rules: { etcd: false, kubeControllerManager: false, kubeProxy: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false } },
    // The chart scrapes CoreDNS by default (coreDns.enabled: a headless Service in kube-system selecting
    // k8s-app: kube-dns, port 9153). GKE's kube-dns pods carry that label but serve nothing on 9153, so the
    // target would stay down and TargetDown would page forever; there it is off (kubeDns, the chart's
    // kube-dns target, stays off as by default).
    ...(args.coreDns ? {} : { coreDns: { enabled: false } }),
    // Short object names: kps-prometheus, kps-alertmanager, kps-operator; Grafana's Service is `grafana`.
    fullnameOverride: "kps",
    prometheusOperator: {
      image: image("prometheusOperator"),
      resources: r.operator,
      tolerations: SYSTEM_POOL_TOLERATIONS,
      prometheusConfigReloader: { image: image("prometheusConfigReloader"), resources: r.configReloader },
      admissionWebhooks: { patch: { image: image("webhookCertgen"), resources: r.webhookJobs, tolerations: SYSTEM_POOL_TOLERATIONS } },
    },
    prometheus: {
      prometheusSpec: {
        image: image("prometheus"),
        replicas: args.replicas,
        retention: args.retention,
        resources: r.prometheus,
        tolerations: SYSTEM_POOL_TOLERATIONS,
        // Select the kit's monitors and rules by the release label (the chart's default selectors).
        ruleSelectorNilUsesHelmValues: true,
        serviceMonitorSelectorNilUsesHelmValues: true,
        podMonitorSelectorNilUsesHelmValues: true,
        ...(args.storageSize
          ? {
              storageSpec: {
                volumeClaimTemplate: {
                  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: args.storageSize } }, ...(args.storageClass ? { storageClassName: args.storageClass } : {}) },
                },
              },
            }
          : {}),
      },
    },
    alertmanager: {
      alertmanagerSpec: { image: image("alertmanager"), replicas: args.replicas, resources: r.alertmanager, tolerations: SYSTEM_POOL_TOLERATIONS, useExistingSecret: true, configSecret: args.alertmanagerConfigSecret },
    },
    grafana: {
      fullnameOverride: "grafana",
      image: image("grafana"),
      resources: r.grafana,
      tolerations: SYSTEM_POOL_TOLERATIONS,
      admin: { existingSecret: args.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
      defaultDashboardsEnabled: true,
      sidecar: {
        image: image("grafanaSidecar"),
        resources: r.grafanaSidecar,
        dashboards: {
          enabled: true,
          label: Object.keys(DASHBOARD_LABEL)[0],
          labelValue: Object.values(DASHBOARD_LABEL)[0],
          searchNamespace: args.dashboardsNamespace,
          folderAnnotation: "grafana_folder",
          provider: { foldersFromFilesStructure: true },
        },
      },
    },
    "kube-state-metrics": {
      // kube-state-metrics 8.4.0 composes "repository:tag@<sha>" (templates/_helpers.tpl:143-147): sha keeps its "sha256:".
      image: args.images.chartImage("kubeStateMetrics", "sha"),
      resources: r.kubeStateMetrics,
      tolerations: SYSTEM_POOL_TOLERATIONS,
      // Node pool labels for joining GPU series to their pool's driver pin (alerts.ts POOL_NODE_LABEL).
      metricLabelsAllowlist: [`nodes=[${POOL_LABEL}]`],
    },
    // The table's tag already names the distroless build; `distroless: true` (the chart's setting) would
    // have the subchart add that suffix itself, so it is off and the tag is taken as written.
    // prometheus-node-exporter 4.56.1 refuses image.sha and reads image.digest (templates/_helpers.tpl:78-84).
    "prometheus-node-exporter": { image: { ...args.images.chartImage("nodeExporter", "digest"), distroless: false }, resources: r.nodeExporter },
  };
}
