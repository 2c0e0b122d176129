// Which CUDA toolkits an NVIDIA driver runs, from the floors in the versions table. Pipelines fail at
// run time ("CUDA driver version is insufficient") when an image's CUDA is newer than the node's driver;
// knowing a pool's highest CUDA lets config and policy catch that before anything is deployed.
import { cudaDriverFloors } from "../versions";
import { eksNvidiaAmiDrivers } from "./eks-nvidia-amis";

/** Node label with which a GPU pool declares the newest CUDA its pipelines may use, e.g. "12.8". */
export const CUDA_LABEL = "kfp-platform/cuda";
/** Node label prefix of each CUDA minor a node's driver runs: `kfp-platform/cuda-12.4: "true"`, for step node selectors. */
export const CUDA_MINOR_LABEL_PREFIX = "kfp-platform/cuda-";
/** Node label naming the GPU model, e.g. `nvidia-a10g`. */
export const GPU_MODEL_LABEL = "kfp-platform/gpu-model";
/** The EKS AMI type whose releases the driver table covers. */
export const EKS_DRIVER_TABLE_AMI = "AL2023_x86_64_NVIDIA";

/** Compares dotted numeric versions ("580.95.05" vs "580.126.09"): negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest CUDA toolkit the driver runs with full features; undefined when older than every floor. */
export function maxCudaForDriver(driver: string): string | undefined {
  return Object.entries(cudaDriverFloors)
    .filter(([, floor]) => compareVersions(driver, floor) >= 0)
    .map(([cuda]) => cuda)
    .sort(compareVersions)
    .pop();
}

/**
 * Every CUDA toolkit of the floors table the driver runs, oldest first, capped at the GPU
 * architecture's newest (CUDA 13 dropped Volta and older) when one is given.
 */
export function cudaVersionsRun(driver: string, architectureMax?: string): string[] {
  return Object.entries(cudaDriverFloors)
    .filter(([cuda, floor]) => compareVersions(driver, floor) >= 0 && (!architectureMax || compareVersions(cuda, architectureMax) <= 0))
    .map(([cuda]) => cuda)
    .sort(compareVersions);
}

/** The node labels that let a step select a pool by the CUDA it needs: one `kfp-platform/cuda-<minor>: "true"` per version run. */
export function cudaLabels(driver: string, architectureMax?: string): Record<string, string> {
  return Object.fromEntries(cudaVersionsRun(driver, architectureMax).map((cuda) => [`${CUDA_MINOR_LABEL_PREFIX}${cuda}`, "true"]));
}

const RELEASE = /^(\d+\.\d+\.\d+)-(\d{8})$/;

/** The driver an EKS NVIDIA node group runs, from its pinned releaseVersion (`1.35.6-20260714`); undefined when not in the table. */
export function eksDriverForRelease(releaseVersion: string): string | undefined {
  const [, kubernetes, date] = RELEASE.exec(releaseVersion) ?? [];
  return date ? eksNvidiaAmiDrivers[date]?.[kubernetes] : undefined;
}

/** Why a releaseVersion has no known driver, for messages: an unknown release, or no AMI for that Kubernetes version in it. */
export function eksReleaseProblem(releaseVersion: string): string | undefined {
  if (eksDriverForRelease(releaseVersion)) return undefined;
  const [, kubernetes, date] = RELEASE.exec(releaseVersion) ?? [];
  const release = date ? eksNvidiaAmiDrivers[date] : undefined;
  if (!release) {
    return "is not in the kit's NVIDIA AMI driver table (modules/facts/eks-nvidia-amis.ts), so its driver and CUDA range are unknown; pin a listed release or add this one from the amazon-eks-ami CHANGELOG";
  }
  return `names Kubernetes ${kubernetes}, but AMI release v${date} has ${Object.keys(release).join(", ")}; use the release version the CHANGELOG lists for your Kubernetes version`;
}
