// NVIDIA GPU instance types the AWS foundation accepts in a GPU node group (x86_64, for the
// AL2023_x86_64_NVIDIA AMI): GPUs per instance and the GPU model, from the EC2 accelerated-computing
// instance type specifications. The count becomes the Cluster Autoscaler's scale-from-zero template.

export interface GpuInstanceFamily {
  /** GPU model, also the `k8s.amazonaws.com/accelerator` node label value. */
  readonly accelerator: string;
  /** GPUs per instance, by size. */
  readonly sizes: Readonly<Record<string, number>>;
  /** Newest CUDA the architecture supports, when older than the driver's (CUDA 13.0 dropped Maxwell, Pascal and Volta). */
  readonly maxCuda?: string;
}

const single = (...sizes: string[]) => Object.fromEntries(sizes.map((s) => [s, 1]));
/** g5, g6 and g6e share their size ladder: one GPU up to 16xlarge, four at 12xlarge and 24xlarge, eight at 48xlarge. */
const gLadder = { ...single("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"), "12xlarge": 4, "24xlarge": 4, "48xlarge": 8 };

export const GPU_INSTANCE_FAMILIES: Readonly<Record<string, GpuInstanceFamily>> = {
  g4dn: { accelerator: "nvidia-t4", sizes: { ...single("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"), "12xlarge": 4, metal: 8 } },
  g5: { accelerator: "nvidia-a10g", sizes: gLadder },
  g6: { accelerator: "nvidia-l4", sizes: gLadder },
  gr6: { accelerator: "nvidia-l4", sizes: single("4xlarge", "8xlarge") },
  g6e: { accelerator: "nvidia-l40s", sizes: gLadder },
  p3: { accelerator: "nvidia-v100", sizes: { "2xlarge": 1, "8xlarge": 4, "16xlarge": 8 }, maxCuda: "12.9" },
  p3dn: { accelerator: "nvidia-v100", sizes: { "24xlarge": 8 }, maxCuda: "12.9" },
  p4d: { accelerator: "nvidia-a100", sizes: { "24xlarge": 8 } },
  p4de: { accelerator: "nvidia-a100", sizes: { "24xlarge": 8 } },
  p5: { accelerator: "nvidia-h100", sizes: { "48xlarge": 8 } },
  p5e: { accelerator: "nvidia-h200", sizes: { "48xlarge": 8 } },
  p5en: { accelerator: "nvidia-h200", sizes: { "48xlarge": 8 } },
};

export interface GpuInstanceType {
  readonly family: string;
  readonly gpus: number;
  readonly accelerator: string;
  readonly maxCuda?: string;
}

/** The GPU facts of an instance type such as `g5.2xlarge`; undefined when it is not a known NVIDIA x86_64 GPU type. */
export function gpuInstanceType(instanceType: string): GpuInstanceType | undefined {
  const [family, size] = instanceType.split(".");
  const facts = GPU_INSTANCE_FAMILIES[family];
  const gpus = facts?.sizes[size];
  return facts && gpus ? { family, gpus, accelerator: facts.accelerator, maxCuda: facts.maxCuda } : undefined;
}
