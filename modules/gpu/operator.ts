// The NVIDIA GPU Operator v26.7.0's Helm values, for pools whose driver it installs (GKE GPU pools,
// existing clusters' `driver: gpu-operator` pools). Keys and defaults read in NVIDIA/gpu-operator at tag
// v26.7.0 (deployments/gpu-operator/values.yaml, templates/, controllers/object_controls.go "oc.go").
//
// The operator exposes the GPUs itself: with CDI on (its default, cdi.enabled: true) the toolkit does NOT
// make `nvidia` containerd's default runtime (oc.go transformToolkitCtrForCDI) and the operator runs its
// own device plugin and DCGM exporter under runtime class `nvidia` (oc.go setRuntimeClassName) with
// DEVICE_LIST_STRATEGY=cdi-annotations,cdi-cri (oc.go transformDevicePluginCtrForCDI). A device plugin
// outside that setup finds no NVML and crash-loops, so these values leave devicePlugin and dcgmExporter
// on and cdi and operator.runtimeClass at the chart's defaults.
import type { ImageResolver } from "../images";
import { GPU_POOL_TAINTS } from "../foundation/gpu-pools";
import { charts, type ImageName } from "../versions";
import { DCGM_COUNTERS } from "./daemons";
import { SYSTEM_POOL_TOLERATIONS } from "../k8s/placement";

/** The release's namespace, where the operator also runs its DaemonSets. */
export const OPERATOR_NAMESPACE = "gpu-operator";

/**
 * The operator's DCGM exporter pods (assets/state-dcgm-exporter/0800_daemonset.yaml: DaemonSet
 * nvidia-dcgm-exporter, pod label app, container port `metrics` 9400); the kit scrapes them with a PodMonitor.
 */
export const OPERATOR_DCGM_EXPORTER = { podLabels: { app: "nvidia-dcgm-exporter" }, port: "metrics" } as const;

/** ConfigMap (created by the chart, templates/dcgm_exporter_config.yaml) with the kit's counters for the operator's exporter. */
export const OPERATOR_DCGM_COUNTERS = "kfp-platform-dcgm-counters";

/**
 * Each component the release deploys with these values, and the table image it runs. The rest stay off:
 * dcgm (standalone host engine), nodeStatusExporter, gds and gdrcopy are disabled by default; the sandbox
 * and vGPU managers run only with sandboxWorkloads.enabled (controllers/state_manager.go isStateEnabled);
 * draDriver only with gpuCluster.deployCR. The device plugin image also serves GFD, the plugin's config
 * manager and the MPS control daemon (oc.go TransformDevicePlugin, TransformMPSControlDaemon).
 */
export const OPERATOR_COMPONENT_IMAGES = {
  operator: "gpuOperator",
  validator: "gpuOperator",
  "driver.manager": "gpuDriverManager",
  toolkit: "nvidiaContainerToolkit",
  devicePlugin: "nvidiaDevicePlugin",
  dcgmExporter: "dcgmExporter",
  gfd: "nvidiaDevicePlugin",
  migManager: "migManager",
} as const satisfies Record<string, ImageName>;

/** The control-plane toleration the chart's NFD worker list starts with (values.yaml node-feature-discovery.worker.tolerations). */
const CONTROL_PLANE_TOLERATION = { key: "node-role.kubernetes.io/control-plane", operator: "Equal", value: "", effect: "NoSchedule" } as const;

export interface OperatorValuesArgs {
  readonly images: ImageResolver;
  /** The driver every operator pool runs (gpu.operator.driverVersion). */
  readonly driverVersion: string;
  /** GKE nodes: the toolkit reads containerd's config from its file (gpu-operator known issue, GKE >= 1.33). */
  readonly gke: boolean;
}

/** `repository/image:version` split as the operator's keys take it, routed through the stack's caches or mirror. */
function operatorImage(images: ImageResolver, name: ImageName): { repository: string; image: string; version: string } {
  const { repository, version } = images.pinned(name);
  const slash = repository.lastIndexOf("/");
  return { repository: repository.slice(0, slash), image: repository.slice(slash + 1), version };
}

export function operatorValues(args: OperatorValuesArgs) {
  const image = (name: ImageName) => operatorImage(args.images, name);
  const driverRepository = args.images.route(charts.gpuOperator.driverRepository);
  const slash = driverRepository.lastIndexOf("/");
  // daemonsets.tolerations REPLACES every operand DaemonSet's tolerations (oc.go applyCommonDaemonsetConfig),
  // and the chart's list holds only nvidia.com/gpu: spot GPU nodes would get no driver.
  const tolerations = GPU_POOL_TAINTS.map((t) => ({ key: t.key, operator: "Exists", effect: t.effect }));
  const c = OPERATOR_COMPONENT_IMAGES;
  // The subchart composes "repository:tag" (charts/node-feature-discovery/templates/worker.yaml).
  const nfd = args.images.pinned("nodeFeatureDiscovery");
  return {
    // The operator's Deployment: the chart's control-plane toleration, plus the system pool's, where the
    // platform's controllers run (modules/k8s/placement.ts); values.yaml operator.tolerations.
    operator: { ...image(c.operator), tolerations: [CONTROL_PLANE_TOLERATION, ...SYSTEM_POOL_TOLERATIONS] },
    validator: image(c.validator),
    // Exactly the pinned driver: the chart's default changes with each release. No digest: the operator
    // appends each node's OS to this tag unless it holds one (oc.go resolveDriverTag).
    driver: {
      enabled: true,
      repository: driverRepository.slice(0, slash),
      image: driverRepository.slice(slash + 1),
      version: args.driverVersion,
      manager: image(c["driver.manager"]),
    },
    toolkit: { enabled: true, ...image(c.toolkit), ...(args.gke ? { env: [{ name: "RUNTIME_CONFIG_SOURCE", value: "file" }] } : {}) },
    devicePlugin: { enabled: true, ...image(c.devicePlugin) },
    dcgmExporter: {
      enabled: true,
      ...image(c.dcgmExporter),
      // The kit's counters, as its own exporter reads them, so alerts and dashboards see the same series
      // (and the driver version label) on every pool.
      config: { name: OPERATOR_DCGM_COUNTERS, create: true, data: DCGM_COUNTERS.join("\n") },
      // The kit scrapes the pods with its own PodMonitor (job label dcgm-exporter); the operator's
      // ServiceMonitor would be a second, unselected scrape definition.
      serviceMonitor: { enabled: false },
    },
    // The exporter embeds its host engine.
    dcgm: { enabled: false },
    gfd: image(c.gfd),
    migManager: image(c.migManager),
    daemonsets: { tolerations },
    "node-feature-discovery": {
      image: { repository: nfd.repository, tag: nfd.version },
      // The operator deploys only to nodes NFD labels with an NVIDIA PCI device, so the worker must reach
      // every GPU node; this list replaces the chart's (control plane, nvidia.com/gpu).
      worker: { tolerations: [CONTROL_PLANE_TOLERATION, ...tolerations] },
      // NFD's master and garbage collector are Deployments: beside the operator.
      master: { tolerations: [CONTROL_PLANE_TOLERATION, ...SYSTEM_POOL_TOLERATIONS] },
      gc: { tolerations: [CONTROL_PLANE_TOLERATION, ...SYSTEM_POOL_TOLERATIONS] },
    },
  };
}

type OperatorValues = ReturnType<typeof operatorValues>;
type ImageKeys = { repository: string; image: string; version: string };

/**
 * What a release with these values pulls, composed as the chart and the operator compose it
 * (`repository/image:version`: templates/_helpers.tpl fullimage, api/nvidia/v1 imagePath; NFD
 * `repository:tag`), for `npm run images`. The driver's tag only each node completes: the operator
 * appends the node's OS (`-ubuntu24.04`), so it is returned apart, without that suffix.
 */
export function operatorImages(values: OperatorValues): { pulled: string[]; driverWithoutOs: string } {
  const at = (path: string) => path.split(".").reduce((o: any, key) => o?.[key], values) as ImageKeys;
  const ref = (v: ImageKeys) => `${v.repository}/${v.image}:${v.version}`;
  const nfd = values["node-feature-discovery"].image;
  return {
    pulled: [...new Set([...Object.keys(OPERATOR_COMPONENT_IMAGES).map((path) => ref(at(path))), `${nfd.repository}:${nfd.tag}`])].sort(),
    driverWithoutOs: ref(values.driver),
  };
}
