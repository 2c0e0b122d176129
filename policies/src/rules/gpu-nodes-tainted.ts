// GPU nodes carry the GPU taint so only pods that asked for a GPU land there (EKS never adds it, GKE only
// sometimes); spot GPU nodes also carry the spot taint, so only steps that tolerate interruptions land
// there; and the GPU node daemons (NVIDIA's images) tolerate the GPU taint, or they never run where they
// are needed. The GPU Operator's lists (daemonsets.tolerations, which replaces every operand's, and its
// NFD worker's) tolerate both: a spot GPU node the NFD worker or the driver cannot reach gets no driver.
// container-resources makes GPU pods tolerate the same key.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { SPOT_TAINT } from "../../../modules/foundation/gpu-pools";
import { knobs, stringList } from "../lib/config";
import { GPU_KNOBS, gpuPoolOf } from "../lib/gpu";
import { helmChartOf } from "../lib/helm";
import { containersOf, podSpecOf } from "../lib/k8s";
import { reporter, type Props } from "../lib/report";

const NAME = "gpu-nodes-tainted";

const config = knobs({
  ...GPU_KNOBS,
  spotTaintKey: { type: "string" as const, minLength: 1, description: "Taint key spot GPU nodes carry; steps opt in to interruptions by tolerating it.", default: SPOT_TAINT.key },
  gpuDaemonImages: stringList("Image prefixes of GPU node daemons, which must tolerate the GPU taint.", ["nvcr.io/nvidia/"]),
});

const hasTaint = (taints: Props[], key: string) => taints.some((t) => t.key === key && t.effect === "NO_SCHEDULE");
/** Whether a toleration list lets pods onto nodes with a NoSchedule taint of this key. */
const tolerates = (tolerations: unknown, key: string) =>
  Array.isArray(tolerations) && tolerations.some((t: Props) => (t.key === key || (!t.key && t.operator === "Exists")) && (!t.effect || t.effect === "NoSchedule"));

export const gpuNodesTainted: ResourceValidationPolicy = {
  name: NAME,
  description: "GPU node pools carry the GPU NoSchedule taint (spot ones the spot taint too); GPU node daemons tolerate the GPU taint; the GPU Operator's daemons and NFD worker tolerate both.",
  severity: "medium",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const { gpuTaintKey, eksGpuAmiTypes, spotTaintKey, gpuDaemonImages } = config.read(args);
    const violation = reporter(NAME, args, report);
    const pool = gpuPoolOf(args.type, args.props, eksGpuAmiTypes);
    if (pool) {
      // Both cloud APIs spell the effect NO_SCHEDULE; EKS keeps taints on the group, GKE in nodeConfig.
      const taints: Props[] = (pool.cloud === "eks" ? pool.props.taints : pool.props.nodeConfig?.taints) ?? [];
      if (!hasTaint(taints, gpuTaintKey)) violation(`GPU nodes lack the ${gpuTaintKey} taint, so any pod may take them`, `add taint {key: "${gpuTaintKey}", value: "true", effect: "NO_SCHEDULE"}`);
      const spot = pool.cloud === "eks" ? pool.props.capacityType === "SPOT" : pool.props.nodeConfig?.spot === true || pool.props.nodeConfig?.preemptible === true;
      if (spot && !hasTaint(taints, spotTaintKey)) {
        violation(`spot GPU nodes lack the ${spotTaintKey} taint, so multi-hour steps that never asked for interruptible capacity land there`, `add taint {key: "${spotTaintKey}", value: "true", effect: "NO_SCHEDULE"}`);
      }
      return;
    }
    const helm = helmChartOf(args.type, args.props);
    if (helm && /(^|\/)gpu-operator$/.test(helm.chart)) {
      // Unset lists keep the chart's defaults (v26.7.0 values.yaml), which tolerate nvidia.com/gpu only.
      const lists = {
        "values.daemonsets.tolerations": helm.values.daemonsets?.tolerations ?? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        'values["node-feature-discovery"].worker.tolerations': helm.values["node-feature-discovery"]?.worker?.tolerations ?? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      };
      for (const [path, list] of Object.entries(lists)) {
        const missing = [gpuTaintKey, spotTaintKey].filter((key) => !tolerates(list, key));
        if (missing.length > 0) {
          violation(
            `the GPU Operator's ${path} does not tolerate ${missing.join(" and ")}, so GPU nodes with that taint get no driver or device plugin (the list replaces the chart's own)`,
            `set ${path} to include ${missing.map((key) => `{key: "${key}", operator: "Exists", effect: "NoSchedule"}`).join(", ")}`,
          );
        }
      }
      return;
    }
    const spec = podSpecOf(args.type, args.props);
    if (args.type !== "kubernetes:apps/v1:DaemonSet" || !spec) return;
    const gpuDaemon = containersOf(spec).some(({ container }) => gpuDaemonImages.some((prefix) => String(container.image ?? "").startsWith(prefix)));
    if (gpuDaemon && !tolerates(spec.tolerations, gpuTaintKey)) {
      violation(`runs a GPU node daemon but does not tolerate the ${gpuTaintKey} taint, so it never runs on the GPU nodes it serves`, `add tolerations: [{key: "${gpuTaintKey}", operator: "Exists", effect: "NoSchedule"}]`);
    }
  },
};
