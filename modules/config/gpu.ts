// GPU settings of the one stack schema: GPU pools of clusters the kit does not build (selected by node
// label), the GPU Operator for pools whose nodes bring no driver, and the CUDA versions the platform's
// pipelines need. What every GPU pool runs is derived here from its pinned driver, so config errors can
// name pools and drivers.
import { z } from "zod";
import { gpuInstanceType } from "../facts/aws-instance-types";
import { compareVersions, cudaVersionsRun, eksDriverForRelease } from "../facts/cuda";
import { gceGpu } from "../facts/gce-machine-types";
import { charts, cudaDriverFloors } from "../versions";

export const cudaVersion = z.enum(Object.keys(cudaDriverFloors) as [string, ...string[]]);
const driverVersion = z.string().regex(/^\d{3}\.\d+(\.\d+)?$/, 'expected an NVIDIA driver version such as "580.126.20"');
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "expected a Kubernetes label key");

export const existingGpuPool = z
  .strictObject({
    nodeSelector: z
      .record(labelKey, z.string().max(63))
      .refine((s) => Object.keys(s).length > 0, "needs at least one label")
      .describe("Node labels that select the pool's nodes, e.g. {node.kubernetes.io/instance-type: g5.2xlarge}."),
    driver: z
      .enum(["preinstalled", "gpu-operator"])
      .describe("`preinstalled`: the nodes bring the NVIDIA driver and container toolkit, with `nvidia` as containerd's default runtime (the kit adds the device plugin and DCGM exporter); `gpu-operator`: the GPU Operator installs the driver at gpu.operator.driverVersion and runs its own device plugin and exporter."),
    driverVersion: driverVersion.optional().describe("With driver `preinstalled`: the driver the nodes run (`nvidia-smi`), so CUDA labels and checks know it."),
    cuda: cudaVersion.describe("Newest CUDA toolkit the pool's pipelines use; checked against the driver."),
    gpuModel: z.string().regex(/^[a-z0-9-]+$/).optional().describe("GPU model for the kfp-platform/gpu-model label, e.g. nvidia-l4."),
    capacity: z.enum(["on-demand", "spot"]).default("on-demand").describe("Spot pools are labelled and tainted so only steps that opt in land there."),
    gpus: z.number().int().min(1).optional().describe("GPUs the pool's nodes hold in total, so team GPU quotas can be checked against them."),
  })
  .superRefine((p, ctx) => {
    if (p.driver === "preinstalled" && !p.driverVersion) {
      ctx.addIssue({ code: "custom", path: ["driverVersion"], input: undefined, message: "a preinstalled driver needs its version (nvidia-smi on a node), so the kit can tell which CUDA it runs" });
    }
    if (p.driver === "gpu-operator" && p.driverVersion) {
      ctx.addIssue({ code: "custom", path: ["driverVersion"], input: p.driverVersion, message: "the GPU Operator installs gpu.operator.driverVersion on these nodes; remove driverVersion here" });
    }
  });

export const gpuSettings = z
  .strictObject({
    requiredCuda: z
      .array(cudaVersion)
      .default([])
      .describe("CUDA versions the platform's pipelines need: the plan fails when no GPU pool's driver runs one of them."),
    operator: z
      .strictObject({
        driverVersion: driverVersion.describe(
          `Driver the GPU Operator installs (values driver.version). Required: the chart's default driver changes with each release (${charts.gpuOperator.version}: ${charts.gpuOperator.defaultDriver}).`,
        ),
      })
      .optional()
      .describe("The NVIDIA GPU Operator (pinned Helm release) for GKE GPU pools and existing-cluster pools with driver `gpu-operator`. Not on EKS: its NVIDIA AMIs bring the driver and toolkit."),
  })
  .prefault({});

/** A GPU pool as config declares it, with the driver it runs and the CUDA versions that driver runs. */
export interface DeclaredGpuPool {
  readonly key: (string | number)[];
  readonly name: string;
  readonly driver?: string;
  readonly cuda: string;
  readonly runs: string[];
  /** The newest CUDA the GPU architecture supports, where older than the driver's. */
  readonly architectureMax?: string;
}

/** Every GPU pool of a stack, from whichever target declares them. */
export function declaredGpuPools(config: {
  cluster: {
    target: string;
    gpuGroups?: Record<string, { releaseVersion: string; cuda: string; instanceTypes: string[] }>;
    gpuPools?: Record<string, z.output<typeof existingGpuPool> | { machineType: string; accelerator: { type: string; count: number }; cuda: string }>;
  };
  gpu: z.output<typeof gpuSettings>;
}): DeclaredGpuPool[] {
  const eksPools = Object.entries(config.cluster.gpuGroups ?? {}).map(([name, g]) => {
    const driver = eksDriverForRelease(g.releaseVersion);
    const architectureMax = gpuInstanceType(g.instanceTypes[0])?.maxCuda;
    return { key: ["cluster", "gpuGroups", name], name, driver, cuda: g.cuda, architectureMax, runs: driver ? cudaVersionsRun(driver, architectureMax) : [] };
  });
  const existingPools = Object.entries(config.cluster.gpuPools ?? {}).map(([name, p]) => {
    // GKE pools always take the GPU Operator's driver; existing pools say whose driver they run.
    const driver = "accelerator" in p || p.driver === "gpu-operator" ? config.gpu.operator?.driverVersion : p.driverVersion;
    const architectureMax = "accelerator" in p ? gceGpu(p.machineType, p.accelerator).spec?.maxCuda : undefined;
    return { key: ["cluster", "gpuPools", name], name, driver, cuda: p.cuda, architectureMax, runs: driver ? cudaVersionsRun(driver, architectureMax) : [] };
  });
  return [...eksPools, ...existingPools];
}

/** Cross-field GPU rules over the whole stack: pools against their drivers, required CUDA against the pools. */
export function checkGpuConfig(config: Parameters<typeof declaredGpuPools>[0], ctx: z.RefinementCtx): void {
  const pools = declaredGpuPools(config);
  const existing = config.cluster.gpuPools ?? {};
  if (config.gpu.operator && config.cluster.target === "aws") {
    ctx.addIssue({
      code: "custom",
      path: ["gpu", "operator"],
      input: config.gpu.operator,
      message: "the GPU Operator is for existing clusters and GKE: EKS NVIDIA AMIs bring the driver and container toolkit (the operator's would have to be off), and the kit installs the device plugin itself; remove gpu.operator",
    });
  }
  for (const [name, p] of Object.entries(existing)) {
    if (("accelerator" in p || p.driver === "gpu-operator") && !config.gpu.operator) {
      const gke = "accelerator" in p;
      ctx.addIssue({
        code: "custom",
        path: ["cluster", "gpuPools", name, ...(gke ? [] : ["driver"])],
        input: gke ? p.accelerator : p.driver,
        message: gke
          ? "has no driver pin: GKE GPU pools run the GPU Operator's driver; set gpu.operator.driverVersion (GKE's own driver follows the node image)"
          : "needs gpu.operator with a pinned driverVersion",
      });
    }
  }
  // EKS groups' CUDA is checked where the group is declared (aws.ts), with the release's own message.
  for (const pool of pools.filter((p) => p.key[1] === "gpuPools" && p.driver)) {
    const newest = pool.runs[pool.runs.length - 1];
    if (!newest || compareVersions(pool.cuda, newest) > 0) {
      ctx.addIssue({ code: "custom", path: [...pool.key, "cuda"], input: pool.cuda, message: `driver ${pool.driver} runs CUDA up to ${newest ?? "none in the table"}; declare an older CUDA or pin a newer driver` });
    }
  }
  config.gpu.requiredCuda.forEach((cuda, i) => {
    if (pools.some((p) => p.runs.includes(cuda))) return;
    const have = pools.map((p) => `${p.name} (driver ${p.driver ?? "unknown"}, CUDA up to ${p.runs[p.runs.length - 1] ?? "none"})`).join(", ");
    ctx.addIssue({
      code: "custom",
      path: ["gpu", "requiredCuda", i],
      input: cuda,
      message: `no GPU pool runs CUDA ${cuda}: ${have || "the stack has no GPU pools"}; pin a newer driver or AMI release on a pool, or drop the requirement`,
    });
  });
}
