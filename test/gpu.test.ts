// GPU pools usable the first time: the kit's device plugin and DCGM exporter on exactly the node-image GPU
// pools' nodes (which component serves each GPU source: gpu-sources.test.ts),
// CUDA labels from each pool's pinned driver, a step's CUDA selector landing only where its CUDA runs,
// spot pools fenced off, the GPU Operator pinned on existing clusters, and bad GPU config refused.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { formatSummary } from "../engine/summary";
import { DCGM_COUNTERS } from "../modules/gpu/daemons";
import { charts, images } from "../modules/versions";
import { gpuNodesTainted } from "../policies/src/rules/gpu-nodes-tainted";
import { gpuDriversPinned } from "../policies/src/rules/gpu-drivers-pinned";
import { configProblems, findObject, REPO_ROOT, tempRoot } from "./helpers";
import { violations } from "./policies-helpers";

type Labels = Record<string, string>;
type Taint = { key: string; value?: string; effect: string };
const EFFECT: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };

/** Whether a pod with this nodeSelector and these tolerations may run on a node (scheduler's label and taint rules). */
function schedulable(step: { nodeSelector: Labels; tolerations?: Taint[] }, node: { labels: Labels; taints: Taint[] }): boolean {
  const selected = Object.entries(step.nodeSelector).every(([k, v]) => node.labels[k] === v);
  const tolerated = node.taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((t) => (step.tolerations ?? []).some((tol) => tol.key === t.key && (!tol.effect || tol.effect === t.effect)));
  return selected && tolerated;
}

/** The nodes of every EKS node group, as the scheduler sees them. */
function eksNodes(plan: PlanResult) {
  return plan.resources
    .filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")
    .map((g) => ({
      pool: (g.inputs.labels as Labels)["kfp-platform/pool"],
      labels: g.inputs.labels as Labels,
      taints: ((g.inputs.taints ?? []) as Taint[]).map((t) => ({ ...t, effect: EFFECT[t.effect] })),
    }));
}

const GPU_STEP_TOLERATION = { key: "nvidia.com/gpu", effect: "NoSchedule" };
const awsStack = (gpuGroups: string) =>
  [
    "config:",
    "  kfp-platform:environment: dev",
    "  kfp-platform:cluster:",
    "    target: aws",
    "    region: eu-west-1",
    "    accountId: \"123456789012\"",
    "    name: kfp-gpu",
    "    network: { availabilityZones: [eu-west-1a, eu-west-1b] }",
    "    admins: [arn:aws:iam::123456789012:role/platform-admins]",
    "    gpuGroups:",
    gpuGroups,
    "",
  ].join("\n");

describe("GPU daemons on the aws stacks", () => {
  let plan: PlanResult;
  before(async () => {
    plan = await planStack("aws-prod", { root: REPO_ROOT, outDir: null, policyConfig: "prod" });
    assert.deepEqual(plan.problems, []);
  });

  it("runs the device plugin and the DCGM exporter with pinned images, only on the GPU pools, tolerating their taints", () => {
    for (const [name, image] of [["nvidia-device-plugin", "nvidiaDevicePlugin"], ["dcgm-exporter", "dcgmExporter"]] as const) {
      const ds = findObject(plan, "DaemonSet", name) as any;
      assert.ok(ds, name);
      assert.equal(ds.metadata.namespace, "kfp-platform-gpu");
      const pod = ds.spec.template.spec;
      assert.equal(pod.containers[0].image, `${images[image].repository}:${images[image].tag}`);
      assert.equal(pod.priorityClassName, "system-node-critical");
      const terms = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      assert.deepEqual(terms.map((t: any) => t.matchExpressions[0].values[0]).sort(), ["a100", "a10g"], "one term per GPU pool");
      assert.deepEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
      assert.ok(pod.containers[0].resources.requests.cpu && pod.containers[0].resources.limits.memory);
    }
    const nodes = eksNodes(plan);
    const daemon = (findObject(plan, "DaemonSet", "nvidia-device-plugin") as any).spec.template.spec;
    const onNode = (node: (typeof nodes)[number]) =>
      daemon.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.some((t: any) =>
        t.matchExpressions.every((e: any) => e.values.includes(node.labels[e.key])),
      );
    assert.deepEqual(nodes.filter(onNode).map((n) => n.pool).sort(), ["a100", "a10g"], "never on CPU or system nodes, where it would crash-loop");
    assert.equal(findObject(plan, "Namespace", "kfp-platform-gpu")!.metadata.labels!["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("exports utilisation, framebuffer, XID errors, temperature and power, with the driver as a label, on a Service a ServiceMonitor can select", () => {
    const csv = (findObject(plan, "ConfigMap", "dcgm-exporter-counters") as any).data["counters.csv"];
    for (const field of ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"]) {
      assert.match(csv, new RegExp(`^${field}, gauge, `, "m"), field);
    }
    assert.match(csv, /^DCGM_FI_DRIVER_VERSION, label, /m);
    for (const line of DCGM_COUNTERS) assert.equal(line.split(",").length, 3, `${line}: the exporter wants exactly three fields`);
    const service = findObject(plan, "Service", "dcgm-exporter") as any;
    assert.deepEqual(service.spec.ports, [{ name: "metrics", port: 9400, targetPort: "metrics", protocol: "TCP" }]);
    assert.deepEqual(service.spec.selector, (findObject(plan, "DaemonSet", "dcgm-exporter") as any).spec.selector.matchLabels);
    assert.equal(service.metadata.labels["app.kubernetes.io/name"], "dcgm-exporter");
  });

  it("labels each GPU pool with every CUDA minor its driver runs, its model and capacity", () => {
    const a10g = eksNodes(plan).find((n) => n.pool === "a10g")!.labels;
    for (const cuda of ["11.8", "12.4", "12.8", "12.9", "13.0"]) assert.equal(a10g[`kfp-platform/cuda-${cuda}`], "true", cuda);
    for (const cuda of ["13.1", "13.2"]) assert.equal(a10g[`kfp-platform/cuda-${cuda}`], undefined, `driver 580 does not run CUDA ${cuda}`);
    assert.deepEqual([a10g["kfp-platform/cuda"], a10g["kfp-platform/gpu-model"], a10g["kfp-platform/capacity"]], ["12.8", "nvidia-a10g", "on-demand"]);
  });

  it("adds nothing GPU-related to a stack without GPU pools", async () => {
    const local = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
    // The only DaemonSet is the CPU image pre-pull; nothing tolerates or selects GPUs.
    const daemons = local.objects.filter((o) => o.object.kind === "DaemonSet").map((o) => o.object as any);
    assert.deepEqual(daemons.map((d) => d.metadata.name), ["image-prepull-cpu"]);
    assert.ok(!JSON.stringify(daemons).includes("nvidia"));
  });
});

describe("CUDA-aware scheduling", () => {
  let nodes: ReturnType<typeof eksNodes>;
  before(async () => {
    const root = tempRoot({
      mixed: awsStack(
        [
          "      ampere: { instanceTypes: [g5.xlarge], maxSize: 2, releaseVersion: 1.35.6-20260714, cuda: '13.0' }",
          "      volta: { instanceTypes: [p3.2xlarge], maxSize: 2, releaseVersion: 1.35.6-20260714, cuda: '12.9' }",
          "      cheap: { instanceTypes: [g4dn.xlarge], capacity: spot, maxSize: 2, releaseVersion: 1.35.6-20260714, cuda: '12.8' }",
        ].join("\n"),
      ),
    });
    const plan = await planStack("mixed", { root, outDir: null, policyConfig: "prod" });
    assert.deepEqual(plan.problems, []);
    nodes = eksNodes(plan);
  });
  const landsOn = (step: { nodeSelector: Labels; tolerations?: Taint[] }) => nodes.filter((n) => schedulable(step, n)).map((n) => n.pool).sort();

  it("sends a step that needs CUDA 13.0 only to pools whose driver and GPU run it", () => {
    assert.deepEqual(landsOn({ nodeSelector: { "kfp-platform/cuda-13.0": "true" }, tolerations: [GPU_STEP_TOLERATION] }), ["ampere"], "Volta stops at CUDA 12.9; spot needs opting in");
  });

  it("lets a step that needs CUDA 12.4 use every on-demand GPU pool, and spot only when it opts in", () => {
    assert.deepEqual(landsOn({ nodeSelector: { "kfp-platform/cuda-12.4": "true" }, tolerations: [GPU_STEP_TOLERATION] }), ["ampere", "volta"]);
    const retrying = { nodeSelector: { "kfp-platform/cuda-12.4": "true" }, tolerations: [GPU_STEP_TOLERATION, { key: "kfp-platform/spot", effect: "NoSchedule" }] };
    assert.deepEqual(landsOn(retrying), ["ampere", "cheap", "volta"]);
  });

  it("keeps steps without the GPU toleration off GPU nodes", () => {
    assert.deepEqual(landsOn({ nodeSelector: {} }), ["system"]);
  });
});

describe("GPU pools of an existing cluster", () => {
  let plan: PlanResult;
  before(async () => {
    const root = tempRoot({
      onprem: [
        "config:",
        "  kfp-platform:environment: dev",
        "  kfp-platform:cluster:",
        "    target: existing",
        "    gpuPools:",
        "      old: { nodeSelector: { gpu-class: t4 }, driver: preinstalled, driverVersion: 550.54.14, cuda: '12.4', gpuModel: nvidia-t4 }",
        "      new: { nodeSelector: { gpu-class: l40s }, driver: gpu-operator, cuda: '12.8' }",
        "  kfp-platform:gpu:",
        "    requiredCuda: ['12.8']",
        "    operator: { driverVersion: 580.126.20 }",
        "",
      ].join("\n"),
    });
    plan = await planStack("onprem", { root, outDir: null, policyConfig: "prod" });
    assert.deepEqual(plan.problems, []);
  });

  it("installs the GPU Operator pinned, with exactly the pinned driver, its own device plugin and exporter for its pool", () => {
    const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === charts.gpuOperator.chart)!;
    assert.deepEqual([release.inputs.chart, release.inputs.version, (release.inputs.repositoryOpts as any).repo], [charts.gpuOperator.chart, charts.gpuOperator.version, charts.gpuOperator.repository]);
    const values = release.inputs.values as any;
    assert.deepEqual([values.driver.enabled, values.driver.version], [true, "580.126.20"]);
    assert.deepEqual([values.devicePlugin.enabled, values.dcgmExporter.enabled], [true, true]);
  });

  it("runs the kit's daemons only on the preinstalled pool and prints the command that gives the nodes the kit's labels", () => {
    const terms = (findObject(plan, "DaemonSet", "dcgm-exporter") as any).spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.deepEqual(terms.map((t: any) => t.matchExpressions[0]), [{ key: "gpu-class", operator: "In", values: ["t4"] }]);
    const summary = formatSummary(plan);
    assert.match(summary, /gpu pool old: NVIDIA driver 550\.54\.14, CUDA up to 12\.4\n {4}label its nodes \(the kit does not make them\): kubectl label nodes -l gpu-class=t4 --overwrite .*kfp-platform\/cuda-12\.4=true/);
    assert.doesNotMatch(summary, /gpu-class=t4 --overwrite [^&\n]*cuda-12\.8/);
    assert.match(summary, /kubectl taint nodes -l gpu-class=t4 --overwrite nvidia\.com\/gpu=true:NoSchedule/);
  });
});

describe("GPU config", () => {
  const FILE = "stacks/Pulumi.gpu.yaml";
  const problems = (config: Record<string, unknown>) => configProblems(config, FILE);
  const existing = (pools: unknown) => ({ target: "existing", gpuPools: pools });
  const t4 = { nodeSelector: { "gpu-class": "t4" }, driver: "preinstalled", driverVersion: "550.54.14", cuda: "12.4" };

  it("refuses a required CUDA that no pool's driver runs, naming the pools and their drivers", () => {
    assert.deepEqual(problems({ cluster: existing({ t4 }), gpu: { requiredCuda: ["12.4"] } }), []);
    assert.deepEqual(problems({ cluster: existing({ t4 }), gpu: { requiredCuda: ["12.4", "13.0"] } }), [
      `${FILE}: kfp-platform:gpu.requiredCuda[1]: found "13.0"; no GPU pool runs CUDA 13.0: t4 (driver 550.54.14, CUDA up to 12.4); pin a newer driver or AMI release on a pool, or drop the requirement.`,
    ]);
    assert.match(problems({ cluster: { target: "existing" }, gpu: { requiredCuda: ["12.8"] } })[0], /the stack has no GPU pools/);
  });

  it("refuses a pool declaring a CUDA its driver cannot run, and incomplete driver declarations", () => {
    assert.match(problems({ cluster: existing({ t4: { ...t4, cuda: "12.8" } }) })[0], /kfp-platform:cluster\.gpuPools\.t4\.cuda: found "12\.8"; driver 550\.54\.14 runs CUDA up to 12\.4/);
    assert.match(problems({ cluster: existing({ t4: { ...t4, driverVersion: undefined } }) })[0], /gpuPools\.t4\.driverVersion: required value is missing; a preinstalled driver needs its version/);
    assert.match(problems({ cluster: existing({ l4: { nodeSelector: { a: "b" }, driver: "gpu-operator", cuda: "12.8" } }) })[0], /gpuPools\.l4\.driver: found "gpu-operator"; needs gpu\.operator with a pinned driverVersion/);
  });

  it("refuses the GPU Operator on EKS, whose NVIDIA AMIs bring the driver and toolkit", () => {
    const lines = problems({
      cluster: { target: "aws", region: "eu-west-1", accountId: "123456789012", name: "kfp-x", network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] }, admins: ["arn:aws:iam::123456789012:role/a"] },
      gpu: { operator: { driverVersion: "580.126.20" } },
    });
    assert.match(lines[0], /kfp-platform:gpu\.operator: .*EKS NVIDIA AMIs bring the driver and container toolkit \(the operator's would have to be off\)/);
  });
});

describe("GPU policies", () => {
  const EKS = "aws:eks/nodeGroup:NodeGroup";
  const gpuGroup = (extra: Record<string, unknown>) => ({
    clusterName: "c",
    amiType: "AL2023_x86_64_NVIDIA",
    version: "1.35",
    releaseVersion: "1.35.6-20260714",
    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
    labels: { "kfp-platform/cuda": "12.8" },
    ...extra,
  });

  it("fails a spot GPU group without the spot taint", async () => {
    assert.deepEqual(await violations(gpuNodesTainted, EKS, gpuGroup({})), []);
    assert.match(((await violations(gpuNodesTainted, EKS, gpuGroup({ capacityType: "SPOT" }))) as string[])[0], /spot GPU nodes lack the kfp-platform\/spot taint/);
    const fenced = gpuGroup({ capacityType: "SPOT", taints: [{ key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }, { key: "kfp-platform/spot", effect: "NO_SCHEDULE" }] });
    assert.deepEqual(await violations(gpuNodesTainted, EKS, fenced), []);
  });

  it("fails a GPU node daemon that does not tolerate the GPU taint", async () => {
    const daemon = (tolerations: unknown[]) => ({ spec: { template: { spec: { tolerations, containers: [{ name: "p", image: "nvcr.io/nvidia/k8s-device-plugin:v0.20.0" }] } } } });
    const found = (await violations(gpuNodesTainted, "kubernetes:apps/v1:DaemonSet", daemon([]))) as string[];
    assert.match(found[0], /runs a GPU node daemon but does not tolerate the nvidia\.com\/gpu taint/);
    assert.deepEqual(await violations(gpuNodesTainted, "kubernetes:apps/v1:DaemonSet", daemon([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }])), []);
  });

  it("fails a GPU Operator release whose daemons or NFD worker do not tolerate the GPU and spot taints", async () => {
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    const planned = (await planStack("gcp-dev", { root: REPO_ROOT, outDir: null })).resources.find((r) => r.inputs.chart === charts.gpuOperator.chart)!.inputs;
    assert.deepEqual(await violations(gpuNodesTainted, RELEASE, planned), []);
    // The chart's defaults (no lists set) tolerate only nvidia.com/gpu: spot GPU nodes would get no driver.
    const defaults = (await violations(gpuNodesTainted, RELEASE, { chart: "gpu-operator", values: {} })) as string[];
    assert.equal(defaults.length, 2);
    assert.match(defaults[0], /values\.daemonsets\.tolerations does not tolerate kfp-platform\/spot, so GPU nodes with that taint get no driver/);
    assert.match(defaults[1], /node-feature-discovery"\]\.worker\.tolerations does not tolerate kfp-platform\/spot/);
    const noGpu = { chart: "gpu-operator", values: { ...(planned.values as any), daemonsets: { tolerations: [{ key: "kfp-platform/spot", operator: "Exists", effect: "NoSchedule" }] } } };
    assert.match(((await violations(gpuNodesTainted, RELEASE, noGpu)) as string[])[0], /daemonsets\.tolerations does not tolerate nvidia\.com\/gpu[,;]/);
  });

  it("fails a CUDA label the release's driver does not run", async () => {
    assert.deepEqual(await violations(gpuDriversPinned, EKS, gpuGroup({ labels: { "kfp-platform/cuda": "12.8", "kfp-platform/cuda-13.0": "true" } })), []);
    const found = (await violations(gpuDriversPinned, EKS, gpuGroup({ labels: { "kfp-platform/cuda": "12.8", "kfp-platform/cuda-13.1": "true" } }))) as string[];
    assert.match(found[0], /node label kfp-platform\/cuda-13\.1 promises CUDA 13\.1, but AMI release 1\.35\.6-20260714 ships driver 580\.159\.03, which runs CUDA up to 13\.0/);
  });
});


