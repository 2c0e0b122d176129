// NVIDIA GPUs on Compute Engine machine types the GCP foundation accepts in a GKE GPU pool: the
// accelerator-optimised series carry a fixed GPU model and count (G2, A2, A3), N1 takes T4, V100, P4 or
// P100 attached in 1, 2, 4 (or 8) units. Source: GoogleCloudPlatform/cluster-toolkit modules/internal/
// gpu-definition/main.tf (accelerator_machines) and cloud.google.com/compute/docs/gpus.

export interface GceGpuSpec {
  readonly accelerator: string;
  readonly count: number;
  /** Newest CUDA the architecture supports, when older than a current driver's (CUDA 13.0 dropped Pascal and Volta). */
  readonly maxCuda?: string;
}

const ladder = (prefix: string, accelerator: string, counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([size, count]) => [`${prefix}${size}`, { accelerator, count }]));

/** Machine types whose GPUs are fixed by the type. */
export const FIXED_GPU_MACHINES: Readonly<Record<string, GceGpuSpec>> = {
  ...ladder("g2-standard-", "nvidia-l4", { "4": 1, "8": 1, "12": 1, "16": 1, "32": 1, "24": 2, "48": 4, "96": 8 }),
  ...ladder("a2-highgpu-", "nvidia-tesla-a100", { "1g": 1, "2g": 2, "4g": 4, "8g": 8 }),
  "a2-megagpu-16g": { accelerator: "nvidia-tesla-a100", count: 16 },
  ...ladder("a2-ultragpu-", "nvidia-a100-80gb", { "1g": 1, "2g": 2, "4g": 4, "8g": 8 }),
  ...ladder("a3-highgpu-", "nvidia-h100-80gb", { "1g": 1, "2g": 2, "4g": 4, "8g": 8 }),
  "a3-megagpu-8g": { accelerator: "nvidia-h100-mega-80gb", count: 8 },
  "a3-ultragpu-8g": { accelerator: "nvidia-h200-141gb", count: 8 },
};

/** GPUs N1 machine types take attached, with the counts Compute Engine offers. */
export const N1_ATTACHABLE: Readonly<Record<string, { counts: readonly number[]; maxCuda?: string }>> = {
  "nvidia-tesla-t4": { counts: [1, 2, 4] },
  "nvidia-tesla-v100": { counts: [1, 2, 4, 8], maxCuda: "12.9" },
  "nvidia-tesla-p4": { counts: [1, 2, 4], maxCuda: "12.9" },
  "nvidia-tesla-p100": { counts: [1, 2, 4], maxCuda: "12.9" },
};

/**
 * The GPUs a machine type carries, given the accelerator a pool declares; a reason when GCP would refuse
 * the pair. Fixed series must declare their own model and count; N1 takes an attachable model.
 */
export function gceGpu(machineType: string, accelerator: { type: string; count: number }): { spec?: GceGpuSpec; problem?: string } {
  const fixed = FIXED_GPU_MACHINES[machineType];
  if (fixed) {
    if (fixed.accelerator !== accelerator.type || fixed.count !== accelerator.count) {
      return { problem: `${machineType} carries ${fixed.count} x ${fixed.accelerator}; declare exactly that accelerator` };
    }
    return { spec: fixed };
  }
  if (/^n1-(standard|highmem|highcpu)-\d+$/.test(machineType)) {
    const attachable = N1_ATTACHABLE[accelerator.type];
    if (!attachable) return { problem: `N1 machines take ${Object.keys(N1_ATTACHABLE).join(", ")}; ${accelerator.type} needs its own series (L4: g2, A100: a2, H100: a3)` };
    if (!attachable.counts.includes(accelerator.count)) return { problem: `${accelerator.type} attaches in counts of ${attachable.counts.join(", ")}` };
    return { spec: { accelerator: accelerator.type, count: accelerator.count, maxCuda: attachable.maxCuda } };
  }
  return { problem: `${machineType} is not a GPU machine type the kit knows (g2, a2, a3, or n1 with an attached GPU)` };
}
