// What makes a GPU pool usable, on any target: NVIDIA's device plugin and the DCGM exporter on every
// GPU pool's nodes, and, for existing clusters whose GPU nodes bring no driver, the NVIDIA GPU
// Operator as a pinned Helm release that installs exactly the pinned driver. Takes the foundation's
// GPU pools and knows no cloud.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuPool } from "../foundation/contract";
import type { ImageResolver } from "../images";
import { kitMeta } from "../k8s/metadata";
import { podSecurityLabels } from "../k8s/pod-security";
import { charts } from "../versions";
import { dcgmExporter, devicePlugin } from "./daemons";

/** Namespace of the GPU daemons. Privileged Pod Security: both mount kubelet directories from the host. */
export const GPU_NAMESPACE = "kfp-platform-gpu";
const OPERATOR_NAMESPACE = "gpu-operator";

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
    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: kitMeta(GPU_NAMESPACE, undefined, podSecurityLabels("privileged")) }, k8sOpts);
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
    const daemonArgs = { namespace: GPU_NAMESPACE, pools: args.pools, images: args.images, opts: { ...k8sOpts, dependsOn: [namespace, ...criticalQuota(`${name}-critical-pods`, GPU_NAMESPACE, namespace)] } };
    devicePlugin(`${name}-device-plugin`, daemonArgs);
    dcgmExporter(`${name}-dcgm-exporter`, daemonArgs);

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
          values: {
            // Exactly the pinned driver: the chart's default changes with each release.
            driver: { enabled: true, version: args.operatorDriverVersion },
            toolkit: { enabled: true, ...(args.gke ? { env: [{ name: "RUNTIME_CONFIG_SOURCE", value: "file" }] } : {}) },
            // The kit runs these itself, on every target alike (daemons.ts).
            devicePlugin: { enabled: false },
            dcgmExporter: { enabled: false },
            dcgm: { enabled: false },
          },
        },
        { ...k8sOpts, dependsOn: [operatorNamespace, ...criticalQuota(`${name}-operator-critical-pods`, OPERATOR_NAMESPACE, operatorNamespace)] },
      );
    }
    this.registerOutputs({ namespace: GPU_NAMESPACE, pools: args.pools.map((p) => p.name) });
  }
}
