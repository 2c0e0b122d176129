// Where the platform's own pods run: the system node pool carries a taint that pipeline steps do not
// tolerate, so steps go to worker pools and never starve the control plane; every pod the kit creates
// tolerates it. The key is Kubernetes' CriticalAddonsOnly, which the clusters' own add-ons already
// tolerate: EKS's CoreDNS add-on and GKE's kube-dns (docs/scaling.md, "The system pool").
import type * as k8s from "@pulumi/kubernetes";

/** The system pool's taint (EKS node group and GKE node pool; the `existing` target taints nothing). */
export const SYSTEM_POOL_TAINT = { key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" } as const;

/** The system pool's taints: the control-plane taint when the cluster has CPU worker pools for steps, else none (steps run there too). */
export function systemPoolTaints(cpuWorkerPools: number): { key: string; value: string; effect: "NoSchedule" }[] {
  return cpuWorkerPools > 0 ? [{ ...SYSTEM_POOL_TAINT }] : [];
}

/** What every platform pod carries: it may run on the tainted system pool (and anywhere else). */
export const SYSTEM_POOL_TOLERATIONS: k8s.types.input.core.v1.Toleration[] = [
  { key: SYSTEM_POOL_TAINT.key, operator: "Exists", effect: SYSTEM_POOL_TAINT.effect },
];

/**
 * Replicas of one Deployment spread over zones (preferred: a zone short of capacity must not leave a
 * replica Pending) and over nodes (required: two replicas on one node die together).
 */
export function spreadOverZones(matchLabels: Record<string, string>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
  return [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels } },
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels } },
  ];
}
