// GPU node pools on the clouds the kit targets: EKS node groups on an NVIDIA AMI, GKE node pools with
// guest accelerators.
import { stringList } from "./config";
import type { Props } from "./report";

export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";

/** EKS AMI types that ship an NVIDIA driver (the AMI release fixes its version). */
export const EKS_GPU_AMI_TYPES = ["AL2_x86_64_GPU", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA"];

/** Knobs the GPU policies share. */
export const GPU_KNOBS = {
  eksGpuAmiTypes: stringList("EKS amiType values whose AMI ships an NVIDIA driver.", EKS_GPU_AMI_TYPES),
  gpuTaintKey: { type: "string" as const, minLength: 1, description: "Taint key GPU nodes carry; GPU pods must tolerate it.", default: "nvidia.com/gpu" },
};

export type GpuPool = { cloud: "eks"; props: Props } | { cloud: "gke"; props: Props; accelerators: Props[] };

export function gpuPoolOf(type: string, props: Props, eksGpuAmiTypes: string[]): GpuPool | undefined {
  if (type === EKS_NODE_GROUP && eksGpuAmiTypes.includes(props.amiType)) return { cloud: "eks", props };
  if (type === GKE_NODE_POOL) {
    const accelerators = (props.nodeConfig?.guestAccelerators ?? []).filter((a: Props) => Number(a?.count ?? 0) > 0);
    if (accelerators.length > 0) return { cloud: "gke", props, accelerators };
  }
  return undefined;
}
