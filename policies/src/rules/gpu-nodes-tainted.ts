// GPU nodes carry the GPU taint so only pods that asked for a GPU land there (EKS never adds it, GKE only
// sometimes); container-resources makes GPU pods tolerate the same key.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { knobs } from "../lib/config";
import { GPU_KNOBS, gpuPoolOf } from "../lib/gpu";
import { reporter, type Props } from "../lib/report";

const NAME = "gpu-nodes-tainted";

const config = knobs(GPU_KNOBS);

export const gpuNodesTainted: ResourceValidationPolicy = {
  name: NAME,
  description: "GPU node pools must carry the GPU NoSchedule taint.",
  severity: "medium",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const { gpuTaintKey, eksGpuAmiTypes } = config.read(args);
    const pool = gpuPoolOf(args.type, args.props, eksGpuAmiTypes);
    if (!pool) return;
    // Both cloud APIs spell the effect NO_SCHEDULE; EKS keeps taints on the group, GKE in nodeConfig.
    const taints: Props[] = (pool.cloud === "eks" ? pool.props.taints : pool.props.nodeConfig?.taints) ?? [];
    if (!taints.some((t) => t.key === gpuTaintKey && t.effect === "NO_SCHEDULE")) {
      reporter(NAME, args, report)(`GPU nodes lack the ${gpuTaintKey} taint, so any pod may take them`, `add taint {key: "${gpuTaintKey}", value: "present", effect: "NO_SCHEDULE"}`);
    }
  },
};
