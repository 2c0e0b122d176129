// The labels and taints a GPU pool's nodes carry, the same on every target: which pool, the CUDA the
// pool declares and every CUDA minor its pinned driver runs (so a step selects `kfp-platform/cuda-12.4`
// and lands only where that runs), the GPU model and the capacity type. Spot pools are tainted so only
// steps that tolerate interruption (retries on) land there.
import type { GpuPool } from "./contract";
import { CUDA_LABEL, cudaLabels, cudaVersionsRun, GPU_MODEL_LABEL } from "../facts/cuda";

/** Node label naming the pool a node belongs to. */
export const POOL_LABEL = "kfp-platform/pool";
/** Node label with the capacity type: on-demand or spot. */
export const CAPACITY_LABEL = "kfp-platform/capacity";
/** The taint on every GPU node: only pods that tolerate it (GPU steps, GPU daemons) land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;
/** The taint on spot nodes: a step opts in to interruptions by tolerating it. */
export const SPOT_TAINT = { key: "kfp-platform/spot", value: "true", effect: "NoSchedule" } as const;
/** Every taint the kit puts on GPU pools' nodes (spot pools carry both). */
export const GPU_POOL_TAINTS = [GPU_TAINT, SPOT_TAINT] as const;
/**
 * The node label with which the NVIDIA GPU Operator leaves a node alone: with value "false" it removes
 * every `nvidia.com/gpu.deploy.*` label there, so none of its DaemonSets (driver, toolkit, device plugin,
 * exporter) runs on it (gpu-operator v26.7.0 controllers/state_manager.go: commonOperandsLabelKey,
 * hasOperandsDisabled, updateGPUStateLabels). Node-image pools of a cluster that also runs the operator
 * carry it, so the operator's device plugin and the kit's never share a node.
 */
export const OPERATOR_OPT_OUT = { key: "nvidia.com/gpu.deploy.operands", value: "false" } as const;

export interface GpuPoolFacts {
  readonly name: string;
  readonly nodeSelector: Record<string, string>;
  readonly driverVersion: string;
  /** The newest CUDA the GPU architecture supports, where older than the driver's. */
  readonly architectureMax?: string;
  /** The CUDA the pool declares for its pipelines. */
  readonly cuda: string;
  readonly gpuModel?: string;
  readonly capacity: "on-demand" | "spot";
  readonly driverSource: GpuPool["driverSource"];
  readonly labelsApplied: boolean;
  readonly extraLabels?: Record<string, string>;
}

export function gpuPool(facts: GpuPoolFacts): GpuPool {
  const runs = cudaVersionsRun(facts.driverVersion, facts.architectureMax);
  return {
    name: facts.name,
    nodeSelector: facts.nodeSelector,
    labels: {
      ...facts.extraLabels,
      [POOL_LABEL]: facts.name,
      [CUDA_LABEL]: facts.cuda,
      ...cudaLabels(facts.driverVersion, facts.architectureMax),
      ...(facts.gpuModel ? { [GPU_MODEL_LABEL]: facts.gpuModel } : {}),
      [CAPACITY_LABEL]: facts.capacity,
    },
    taints: facts.capacity === "spot" ? [{ ...GPU_TAINT }, { ...SPOT_TAINT }] : [{ ...GPU_TAINT }],
    driverVersion: facts.driverVersion,
    maxCuda: runs[runs.length - 1],
    capacity: facts.capacity,
    driverSource: facts.driverSource,
    labelsApplied: facts.labelsApplied,
  };
}

/** The command that puts a pool's labels and taints on nodes the kit does not make. */
export function labelCommand(pool: GpuPool): string {
  const selector = Object.entries(pool.nodeSelector).map(([k, v]) => `${k}=${v}`).join(",");
  const labels = Object.entries(pool.labels).filter(([k]) => !(k in pool.nodeSelector)).map(([k, v]) => `${k}=${v}`);
  const taints = pool.taints.map((t) => `${t.key}=${t.value}:${t.effect}`);
  return [`kubectl label nodes -l ${selector} --overwrite ${labels.join(" ")}`, `kubectl taint nodes -l ${selector} --overwrite ${taints.join(" ")}`].join(" && ");
}
