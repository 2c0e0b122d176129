// The GPU dashboard: how busy and how full each GPU is, XID errors, which driver each node runs, GPU
// pods waiting, and who asks for GPUs.
import { POOL_NODE_LABEL } from "../alerts";
import type { Dashboard } from "./model";

export function gpuDashboard(): Dashboard {
  return {
    uid: "kfp-platform-gpus",
    title: "KFP platform GPUs",
    description: "GPU utilisation, memory, XID errors, drivers and GPU requests (DCGM exporter and kube-state-metrics; docs/monitoring.md).",
    rows: [
      [
        { title: "GPU utilisation", kind: "timeseries", width: 12, unit: "percent", queries: [{ expr: "avg by (node, gpu) (DCGM_FI_DEV_GPU_UTIL)", legend: "{{node}} GPU {{gpu}}" }] },
        {
          title: "GPU memory used",
          kind: "timeseries",
          width: 12,
          unit: "percentunit",
          queries: [{ expr: "max by (node, gpu) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE))", legend: "{{node}} GPU {{gpu}}" }],
        },
      ],
      [
        { title: "XID errors", kind: "table", width: 8, queries: [{ expr: "max by (node, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0" }] },
        {
          title: "Driver version by node",
          kind: "table",
          width: 8,
          queries: [{ expr: `count by (node, ${POOL_NODE_LABEL}, DCGM_FI_DRIVER_VERSION) (DCGM_FI_DEV_GPU_UTIL * on (node) group_left (${POOL_NODE_LABEL}) max by (node, ${POOL_NODE_LABEL}) (kube_node_labels))` }],
        },
        { title: "GPU temperature", kind: "timeseries", width: 8, unit: "celsius", queries: [{ expr: "max by (node, gpu) (DCGM_FI_DEV_GPU_TEMP)", legend: "{{node}} GPU {{gpu}}" }] },
      ],
      [
        {
          title: "GPU pods pending",
          kind: "stat",
          width: 8,
          queries: [
            {
              expr: 'count((sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > 0) and on (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) == 1)) or vector(0)',
            },
          ],
        },
        { title: "GPUs requested by namespace", kind: "timeseries", width: 16, queries: [{ expr: 'sum by (namespace) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"})', legend: "{{namespace}}" }] },
      ],
    ],
  };
}
