// The kit's own GPU node daemons, as typed objects so the plan, the schema check and the policies see
// every container: NVIDIA's device plugin (advertises nvidia.com/gpu to the kubelet) and the DCGM exporter
// (GPU metrics for Prometheus), for pools whose driver comes with the node image (EKS NVIDIA AMIs make
// the nvidia runtime containerd's default, which hands both the driver's libraries; pools of the GPU
// Operator get its own, operator.ts). Both run only on those pools' nodes and tolerate their taints. Shapes
// from NVIDIA/k8s-device-plugin v0.20.0 deployments/static/nvidia-device-plugin.yml and
// NVIDIA/dcgm-exporter 4.5.3-4.8.2 dcgm-exporter.yaml and its chart (probes, ServiceMonitor port).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { GpuPool } from "../foundation/contract";
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";
import { kitMeta } from "../k8s/metadata";
import { OPERATOR_OPT_OUT } from "../foundation/gpu-pools";

export const DEVICE_PLUGIN = "nvidia-device-plugin";
export const DCGM_EXPORTER = "dcgm-exporter";
/** Port and port name a ServiceMonitor scrapes (the exporter's default listen address). */
export const DCGM_METRICS_PORT = { name: "metrics", port: 9400 } as const;

/**
 * The exporter's counters: utilisation, framebuffer used and free, the last XID error, temperature,
 * power, clocks; the driver version arrives as a label on every series. Lines as the exporter's
 * etc/default-counters.csv spells them (field, type, help: exactly three fields). Profiling fields
 * (DCGM_FI_PROF_*) are left out: they need CAP_SYS_ADMIN.
 */
export const DCGM_COUNTERS = [
  "DCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).",
  "DCGM_FI_DEV_MEM_COPY_UTIL, gauge, Memory utilization (in %).",
  "DCGM_FI_DEV_FB_USED, gauge, Framebuffer memory used (in MiB).",
  "DCGM_FI_DEV_FB_FREE, gauge, Framebuffer memory free (in MiB).",
  "DCGM_FI_DEV_XID_ERRORS, gauge, Value of the last XID error encountered.",
  "DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).",
  "DCGM_FI_DEV_POWER_USAGE, gauge, Power draw (in W).",
  "DCGM_FI_DEV_SM_CLOCK, gauge, SM clock frequency (in MHz).",
  "DCGM_FI_DEV_MEM_CLOCK, gauge, Memory clock frequency (in MHz).",
  "DCGM_FI_DRIVER_VERSION, label, Driver Version",
];

/** The kit's sizing (upstream's device plugin sets none; the exporter's chart requests 100m/128Mi, limit 512Mi). */
const RESOURCES: Record<string, ContainerResources> = {
  [DEVICE_PLUGIN]: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
  [DCGM_EXPORTER]: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
};

/**
 * Required node affinity: any one pool's selector (one term per pool, terms are ORed), plus the labels
 * `also` names for that pool.
 */
export function gpuPoolAffinity(pools: readonly GpuPool[], also: (pool: GpuPool) => Record<string, string> = () => ({})): k8s.types.input.core.v1.Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: pools.map((p) => ({
          matchExpressions: Object.entries({ ...p.nodeSelector, ...also(p) }).map(([key, value]) => ({ key, operator: "In", values: [value] })),
        })),
      },
    },
  };
}

/**
 * The labels the kit's own daemons also require of a pool's nodes: the GPU Operator's opt-out where the
 * pool carries it (existing clusters that run the operator too), so the kit's device plugin runs only
 * where the operator's cannot, even on a node labelled into two pools.
 */
function operatorFree(pool: GpuPool): Record<string, string> {
  return pool.labels[OPERATOR_OPT_OUT.key] === OPERATOR_OPT_OUT.value ? { [OPERATOR_OPT_OUT.key]: OPERATOR_OPT_OUT.value } : {};
}

/** Tolerations for every taint the pools carry (the GPU taint, the spot taint). */
export function gpuPoolTolerations(pools: readonly GpuPool[]): k8s.types.input.core.v1.Toleration[] {
  const keys = new Map(pools.flatMap((p) => p.taints).map((t) => [`${t.key}/${t.effect}`, t]));
  return [...keys.values()].map((t) => ({ key: t.key, operator: "Exists", effect: t.effect }));
}

interface DaemonArgs {
  readonly namespace: string;
  readonly pools: readonly GpuPool[];
  readonly images: ImageResolver;
  readonly opts: pulumi.CustomResourceOptions;
}

function daemonSet(resourceName: string, name: string, args: DaemonArgs, pod: Omit<k8s.types.input.core.v1.PodSpec, "affinity" | "tolerations" | "priorityClassName">) {
  const labels = { "app.kubernetes.io/name": name };
  return new k8s.apps.v1.DaemonSet(
    resourceName,
    {
      metadata: kitMeta(name, args.namespace, labels),
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels },
          spec: {
            ...pod,
            // A node's GPUs are useless to the scheduler without the plugin: never preempted.
            priorityClassName: "system-node-critical",
            affinity: gpuPoolAffinity(args.pools, operatorFree),
            tolerations: gpuPoolTolerations(args.pools),
          },
        },
      },
    },
    args.opts,
  );
}

/** NVIDIA's device plugin on every GPU pool node. Runs as root (it writes its socket under the kubelet's root-owned directory), without privilege or capabilities. */
export function devicePlugin(resourceName: string, args: DaemonArgs): k8s.apps.v1.DaemonSet {
  return daemonSet(resourceName, DEVICE_PLUGIN, args, {
    automountServiceAccountToken: false,
    containers: [
      {
        name: "nvidia-device-plugin-ctr",
        image: args.images.ref("nvidiaDevicePlugin"),
        imagePullPolicy: "IfNotPresent",
        // Exit on a node without a working driver instead of advertising nothing: the pod's restarts show it.
        env: [{ name: "FAIL_ON_INIT_ERROR", value: "true" }],
        resources: RESOURCES[DEVICE_PLUGIN],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        volumeMounts: [{ name: "device-plugins", mountPath: "/var/lib/kubelet/device-plugins" }],
      },
    ],
    volumes: [{ name: "device-plugins", hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } }],
  });
}

/** The DCGM exporter (embedded DCGM, no separate host engine), its counters and the Service a ServiceMonitor selects. */
export function dcgmExporter(resourceName: string, args: DaemonArgs) {
  const counters = new k8s.core.v1.ConfigMap(
    `${resourceName}-counters`,
    { metadata: kitMeta(`${DCGM_EXPORTER}-counters`, args.namespace), data: { "counters.csv": `${DCGM_COUNTERS.join("\n")}\n` } },
    args.opts,
  );
  const health = { httpGet: { path: "/health", port: DCGM_METRICS_PORT.port }, initialDelaySeconds: 45, periodSeconds: 10 };
  const daemons = daemonSet(resourceName, DCGM_EXPORTER, args, {
    automountServiceAccountToken: false,
    containers: [
      {
        name: DCGM_EXPORTER,
        image: args.images.ref("dcgmExporter"),
        imagePullPolicy: "IfNotPresent",
        // The image's entrypoint execs dcgm-exporter with these arguments.
        args: ["-f", "/etc/dcgm-exporter/kfp/counters.csv"],
        env: [
          { name: "DCGM_EXPORTER_LISTEN", value: `:${DCGM_METRICS_PORT.port}` },
          // Pod, namespace and container labels on each GPU's series, from the kubelet's pod-resources socket.
          { name: "DCGM_EXPORTER_KUBERNETES", value: "true" },
          { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        ],
        ports: [{ name: DCGM_METRICS_PORT.name, containerPort: DCGM_METRICS_PORT.port }],
        livenessProbe: health,
        readinessProbe: health,
        resources: RESOURCES[DCGM_EXPORTER],
        securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        volumeMounts: [
          { name: "pod-resources", mountPath: "/var/lib/kubelet/pod-resources", readOnly: true },
          { name: "counters", mountPath: "/etc/dcgm-exporter/kfp", readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: "pod-resources", hostPath: { path: "/var/lib/kubelet/pod-resources" } },
      { name: "counters", configMap: { name: counters.metadata.name } },
    ],
  });
  const service = new k8s.core.v1.Service(
    `${resourceName}-service`,
    {
      metadata: kitMeta(DCGM_EXPORTER, args.namespace, { "app.kubernetes.io/name": DCGM_EXPORTER }),
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": DCGM_EXPORTER },
        ports: [{ name: DCGM_METRICS_PORT.name, port: DCGM_METRICS_PORT.port, targetPort: DCGM_METRICS_PORT.name, protocol: "TCP" }],
      },
    },
    args.opts,
  );
  return { counters, daemons, service };
}
