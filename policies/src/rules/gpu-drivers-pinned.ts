// The NVIDIA driver decides which CUDA versions pipeline images can use, so it changes only when someone
// changes a pin: on EKS the AMI release carries one driver build, on GKE the node version picks it (and
// a node upgrade would move it, or the kernel under the GPU Operator's driver), and the GPU Operator
// installs whatever driver.version says.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { knobs, stringList } from "../lib/config";
import { GPU_KNOBS, gpuPoolOf } from "../lib/gpu";
import { helmChartOf } from "../lib/helm";
import { reporter } from "../lib/report";
import { CUDA_LABEL, CUDA_MINOR_LABEL_PREFIX, EKS_DRIVER_TABLE_AMI, eksDriverForRelease, eksReleaseProblem, compareVersions, maxCudaForDriver } from "../../../modules/facts/cuda";

const NAME = "gpu-drivers-pinned";

const config = knobs({
  eksGpuAmiTypes: GPU_KNOBS.eksGpuAmiTypes,
  gkeDriverVersions: stringList(
    "Accepted gpuDriverInstallationConfig.gpuDriverVersion values (with the node version pinned and held, each maps to one driver; INSTALLATION_DISABLED leaves it to the GPU Operator).",
    ["DEFAULT", "LATEST", "INSTALLATION_DISABLED"],
  ),
});

/** A GKE node version that names one build (`1.33.5-gke.1080000`), not a prefix that floats. */
const GKE_EXACT_VERSION = /^\d+\.\d+\.\d+-gke\.\d+$/;

export const gpuDriversPinned: ResourceValidationPolicy = {
  name: NAME,
  description: "GPU node pools and the GPU Operator must pin the NVIDIA driver: EKS version and releaseVersion; GKE node version and driver setting; Operator driver.version.",
  severity: "high",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const { eksGpuAmiTypes, gkeDriverVersions } = config.read(args);
    const violation = reporter(NAME, args, report);
    const pool = gpuPoolOf(args.type, args.props, eksGpuAmiTypes);
    if (pool?.cloud === "eks") {
      const { version, releaseVersion, amiType } = pool.props;
      if (!version) violation(`GPU node group (${amiType}) does not pin the Kubernetes version`, "set version (e.g. \"1.34\")");
      if (!releaseVersion) violation(`GPU node group (${amiType}) does not pin releaseVersion, so each new AMI release brings a new NVIDIA driver`, "set releaseVersion to the AMI release whose driver you tested");
      const cuda = pool.props.labels?.[CUDA_LABEL];
      // Per-minor labels (kfp-platform/cuda-12.4) steer steps: none may promise more than the driver runs.
      const driverForLabels = releaseVersion && amiType === EKS_DRIVER_TABLE_AMI ? eksDriverForRelease(releaseVersion) : undefined;
      const labelMax = driverForLabels && maxCudaForDriver(driverForLabels);
      for (const key of Object.keys(pool.props.labels ?? {}).filter((k) => k.startsWith(CUDA_MINOR_LABEL_PREFIX))) {
        const minor = key.slice(CUDA_MINOR_LABEL_PREFIX.length);
        if (labelMax && compareVersions(minor, labelMax) > 0) {
          violation(`node label ${key} promises CUDA ${minor}, but AMI release ${releaseVersion} ships driver ${driverForLabels}, which runs CUDA up to ${labelMax}`, `remove the label; the kit derives these labels from the release's driver`);
        }
      }
      if (cuda && releaseVersion && amiType === EKS_DRIVER_TABLE_AMI) {
        const driver = eksDriverForRelease(releaseVersion);
        const maxCuda = driver && maxCudaForDriver(driver);
        if (!driver) violation(`releaseVersion ${releaseVersion} ${eksReleaseProblem(releaseVersion)}, so CUDA ${cuda} cannot be checked against its driver`, "pin a release in modules/facts/eks-nvidia-amis.ts, or add its driver there from the amazon-eks-ami CHANGELOG");
        else if (!maxCuda || compareVersions(cuda, maxCuda) > 0) violation(`the pool declares CUDA ${cuda} (label ${CUDA_LABEL}) but AMI release ${releaseVersion} ships driver ${driver}, which runs CUDA up to ${maxCuda ?? "none in the table"}`, "pin a newer releaseVersion or declare the CUDA version the driver runs");
      }
    } else if (pool?.cloud === "gke") {
      const { version } = pool.props;
      if (!version || !GKE_EXACT_VERSION.test(version)) violation(`GPU node pool version ${version ?? "(unset)"} is not one exact GKE build, and the node version selects the driver`, "set version to an exact build such as 1.33.5-gke.1080000");
      for (const accelerator of pool.accelerators) {
        const setting = accelerator.gpuDriverInstallationConfig?.gpuDriverVersion;
        if (!gkeDriverVersions.includes(setting)) {
          violation(`accelerator ${accelerator.type} has gpuDriverVersion ${setting ?? "(unset)"}`, `set gpuDriverInstallationConfig.gpuDriverVersion to one of ${gkeDriverVersions.join(", ")}`);
        }
      }
    } else {
      const helm = helmChartOf(args.type, args.props);
      const driver = helm?.values.driver;
      if (helm && /(^|\/)gpu-operator$/.test(helm.chart) && driver?.enabled !== false && !driver?.version) {
        violation("the GPU Operator installs its driver without values.driver.version, so the chart's default driver changes with every chart release", "set values.driver.version to the driver you tested (or driver.enabled: false where the node image ships the driver)");
      }
    }
  },
};

/**
 * GKE GPU pools with GKE's driver installation disabled run whatever driver the GPU Operator installs:
 * the stack must carry an operator release that pins one (the per-resource rule above checks the pool
 * and the release apart, not that both are there).
 */
export const gpuOperatorForGkePools: StackValidationPolicy = {
  name: "gpu-operator-for-gke-pools",
  description: "GKE GPU pools with driver installation disabled need a GPU Operator release in the same stack that pins driver.version.",
  severity: "high",
  validateStack: (args, report) => {
    const operators = args.resources.filter((r) => {
      const helm = helmChartOf(r.type, r.props);
      return helm && /(^|\/)gpu-operator$/.test(helm.chart) && helm.values.driver?.enabled !== false && Boolean(helm.values.driver?.version);
    });
    if (operators.length > 0) return;
    for (const r of args.resources) {
      const pool = gpuPoolOf(r.type, r.props, []);
      if (pool?.cloud !== "gke") continue;
      for (const accelerator of pool.accelerators.filter((a) => a.gpuDriverInstallationConfig?.gpuDriverVersion === "INSTALLATION_DISABLED")) {
        reporter("gpu-operator-for-gke-pools", r, report)(
          `accelerator ${accelerator.type} has GKE's driver installation disabled, and no GPU Operator release in the stack pins a driver, so its nodes get none`,
          "add the GPU Operator with values.driver.version (gpu.operator.driverVersion), or let GKE install its DEFAULT driver",
        );
      }
    }
  },
};

/** The exclusion scope that stops every node upgrade (and minor upgrades) while letting control-plane patches through. */
const NODE_HOLD_SCOPE = "NO_MINOR_OR_NODE_UPGRADES";

/**
 * A GKE GPU pool keeps its node version only while something stops GKE upgrading it: on a release channel
 * node auto-upgrade cannot be false (GKE REST ReleaseChannel), so its cluster needs a NO_MINOR_OR_NODE_UPGRADES
 * maintenance exclusion that lasts (until end of support, or an end time); a pool with auto-upgrade off
 * (possible only on No channel) holds itself.
 */
export const gkeGpuNodesHeld: StackValidationPolicy = {
  name: "gke-gpu-nodes-held",
  description: "GKE GPU pools must not be upgraded behind the driver's back: their cluster holds node upgrades with a NO_MINOR_OR_NODE_UPGRADES maintenance exclusion.",
  severity: "high",
  validateStack: (args, report) => {
    const clusters = args.resources.filter((r) => r.type === "gcp:container/cluster:Cluster");
    for (const r of args.resources) {
      const pool = gpuPoolOf(r.type, r.props, []);
      if (pool?.cloud !== "gke" || pool.props.management?.autoUpgrade === false) continue;
      const cluster = clusters.find((c) => c.props.name === pool.props.cluster);
      const exclusions: { endTime?: string; exclusionOptions?: { scope?: string; endTimeBehavior?: string } }[] = cluster?.props.maintenancePolicy?.maintenanceExclusions ?? [];
      const held = exclusions.some((e) => e.exclusionOptions?.scope === NODE_HOLD_SCOPE && (e.exclusionOptions.endTimeBehavior === "UNTIL_END_OF_SUPPORT" || Boolean(e.endTime)));
      if (!held) {
        reporter("gke-gpu-nodes-held", r, report)(
          `GPU node pool auto-upgrades and its cluster ${pool.props.cluster ?? "(unknown)"} has no ${NODE_HOLD_SCOPE} maintenance exclusion, so GKE may upgrade its nodes (and the driver or the kernel it was built for) at any time`,
          `add maintenancePolicy.maintenanceExclusions [{ exclusionOptions: { scope: "${NODE_HOLD_SCOPE}", endTimeBehavior: "UNTIL_END_OF_SUPPORT" } }] to the cluster (the kit's gcp foundation does)`,
        );
      }
    }
  },
};
