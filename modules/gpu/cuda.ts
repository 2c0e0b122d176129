// Which CUDA toolkits an NVIDIA driver runs, from the floors in the versions table. Pipelines fail at
// run time ("CUDA driver version is insufficient") when an image's CUDA is newer than the node's driver;
// knowing a pool's highest CUDA lets config and policy catch that before anything is deployed.
import { cudaDriverFloors, eksNvidiaAmiDrivers } from "../versions";

/** Node label with which a GPU pool declares the newest CUDA its pipelines may use, e.g. "12.8". */
export const CUDA_LABEL = "kfp-platform/cuda";
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

/** The driver an EKS NVIDIA node group runs, from its pinned releaseVersion; undefined when not in the table. */
export function eksDriverForRelease(releaseVersion: string): string | undefined {
  const date = /-(\d{8})$/.exec(releaseVersion)?.[1];
  return date ? eksNvidiaAmiDrivers[date] : undefined;
}
