// What makes a GPU pool usable, on any target, by where its driver comes from. Pools whose nodes bring
// the driver (EKS NVIDIA AMIs, existing clusters' `driver: preinstalled`) get the kit's own device plugin
// and DCGM exporter (daemons.ts). Pools whose driver the NVIDIA GPU Operator installs (GKE, existing
// clusters' `driver: gpu-operator`) get the operator as a pinned Helm release with its own device plugin
// and exporter, the only ones that reach its driver (operator.ts). Takes the foundation's GPU pools and
// knows no cloud.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuPool } from "../foundation/contract";
import type { ImageResolver } from "../images";
import { kitMeta } from "../k8s/metadata";
import { podSecurityLabels } from "../k8s/pod-security";
import { charts } from "../versions";
import { DCGM_EXPORTER, DCGM_METRICS_PORT, dcgmExporter, devicePlugin } from "./daemons";
import { OPERATOR_DCGM_EXPORTER, OPERATOR_NAMESPACE, operatorValues } from "./operator";

/** Namespace of the kit's GPU daemons. Privileged Pod Security: both mount kubelet directories from the host. */
export const GPU_NAMESPACE = "kfp-platform-gpu";

/** A DCGM exporter's pods: where they run and the port that serves /metrics. */
export interface DcgmExporterPods {
  /** Distinguishes several exporters' monitors; the scrape job stays one. */
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
  readonly port: string;
}

/** The DCGM exporters the pools get: the kit's on node-image pools, the operator's on its pools. */
export function dcgmExporters(pools: readonly GpuPool[]): DcgmExporterPods[] {
  return [
    ...(pools.some((p) => p.driverSource === "node-image")
      ? [{ name: DCGM_EXPORTER, namespace: GPU_NAMESPACE, podLabels: { "app.kubernetes.io/name": DCGM_EXPORTER }, port: DCGM_METRICS_PORT.name }]
      : []),
    ...(pools.some((p) => p.driverSource === "gpu-operator")
      ? [{ name: `${DCGM_EXPORTER}-gpu-operator`, namespace: OPERATOR_NAMESPACE, podLabels: { ...OPERATOR_DCGM_EXPORTER.podLabels }, port: OPERATOR_DCGM_EXPORTER.port }]
      : []),
  ];
}

export interface GpuNodeSupportArgs {
  readonly pools: readonly GpuPool[];
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  /** The GPU Operator's pinned driver, when some pool's driver comes from it. */
  readonly operatorDriverVersion?: string;
  /** GKE nodes: the operator's toolkit must read containerd's config from its file (gpu-operator known issue, GKE >= 1.33). */
  readonly gke?: boolean;
}

export class GpuNodeSupport extends pulumi.ComponentResource {
  constructor(name: string, args: GpuNodeSupportArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gpu:GpuNodeSupport", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    // GKE admits pods of the system-*-critical priority classes outside kube-system only in namespaces
    // with a ResourceQuota scoped to those classes (NVIDIA cloud-native-docs gpu-operator/google-gke.rst).
    const criticalQuota = (resource: string, ns: string, after: pulumi.Resource) =>
      args.gke
        ? [
            new k8s.core.v1.ResourceQuota(
              resource,
              {
                metadata: kitMeta("critical-pods", ns),
                spec: {
                  // Large enough never to bind: it exists to permit the priority classes.
                  hard: { pods: "1000" },
                  scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["system-node-critical", "system-cluster-critical"] }] },
                },
              },
              { ...k8sOpts, dependsOn: [after] },
            ),
          ]
        : [];

    const kitPools = args.pools.filter((p) => p.driverSource === "node-image");
    if (kitPools.length > 0) {
      const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: kitMeta(GPU_NAMESPACE, undefined, podSecurityLabels("privileged")) }, k8sOpts);
      const daemonArgs = { namespace: GPU_NAMESPACE, pools: kitPools, images: args.images, opts: { ...k8sOpts, dependsOn: [namespace, ...criticalQuota(`${name}-critical-pods`, GPU_NAMESPACE, namespace)] } };
      devicePlugin(`${name}-device-plugin`, daemonArgs);
      dcgmExporter(`${name}-dcgm-exporter`, daemonArgs);
    }

    const operatorPools = args.pools.filter((p) => p.driverSource === "gpu-operator");
    if (operatorPools.length > 0) {
      if (!args.operatorDriverVersion) throw new Error("internal: GPU pools use the GPU Operator but no driver version was given (the config schema requires gpu.operator)");
      const operatorNamespace = new k8s.core.v1.Namespace(
        `${name}-operator-namespace`,
        // The driver and toolkit containers are privileged by design.
        { metadata: kitMeta(OPERATOR_NAMESPACE, undefined, podSecurityLabels("privileged")) },
        k8sOpts,
      );
      new k8s.helm.v3.Release(
        `${name}-gpu-operator`,
        {
          name: "gpu-operator",
          namespace: OPERATOR_NAMESPACE,
          chart: charts.gpuOperator.chart,
          version: charts.gpuOperator.version,
          repositoryOpts: { repo: charts.gpuOperator.repository },
          values: operatorValues({ images: args.images, driverVersion: args.operatorDriverVersion, gke: args.gke ?? false }),
        },
        { ...k8sOpts, dependsOn: [operatorNamespace, ...criticalQuota(`${name}-operator-critical-pods`, OPERATOR_NAMESPACE, operatorNamespace)] },
      );
    }
    this.registerOutputs({ pools: args.pools.map((p) => p.name) });
  }
}
