// Which component advertises nvidia.com/gpu for each GPU source, and that it can reach the driver there:
// EKS NVIDIA AMIs (the kit's device plugin and exporter; the AMI makes `nvidia` containerd's default
// runtime), GPU Operator pools on GKE and on existing clusters (the operator's own plugin and exporter,
// left under the runtime class and CDI mode the operator gives them), a mixed existing cluster (never both
// on one node), spot pools (every daemon, and the operator's NFD worker, tolerates the spot taint). The
// exporter the GPU alerts read is scraped under one job wherever it runs, and every operator image comes
// from the versions table through the resolver and is listed by `npm run images`.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { imagesOf, perNodeImages } from "../engine/images";
import { loadStackFile } from "../engine/stack-file";
import { parseStackConfig } from "../modules/config/parse";
import { GPU_TAINT, OPERATOR_OPT_OUT, SPOT_TAINT } from "../modules/foundation/gpu-pools";
import { DCGM_COUNTERS } from "../modules/gpu/daemons";
import { OPERATOR_COMPONENT_IMAGES, operatorValues } from "../modules/gpu/operator";
import { ImageResolver, pinnedReference } from "../modules/images";
import { stackImages } from "../modules/images/stack-images";
import { JOBS } from "../modules/monitoring/alerts";
import { STACK_RELEASE } from "../modules/monitoring";
import { charts, images, type ImageName } from "../modules/versions";
import { findObject, ofType, REPO_ROOT, runCli, tempRoot } from "./helpers";

type Labels = Record<string, string>;
type Taint = { key: string; effect: string };
type Node = { labels: Labels; taints: Taint[] };
const EFFECT: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };
const KIT_DAEMONS = ["nvidia-device-plugin", "dcgm-exporter"];

/** Whether a toleration list admits a pod onto a node with these taints (PreferNoSchedule never blocks). */
function tolerated(tolerations: any[] | undefined, taints: Taint[]): boolean {
  return taints
    .filter((t) => t.effect !== "PreferNoSchedule")
    .every((t) => (tolerations ?? []).some((tol) => (tol.key === t.key || (!tol.key && tol.operator === "Exists")) && (!tol.effect || tol.effect === t.effect)));
}

/** Whether the scheduler places a DaemonSet's pod on the node: required node affinity (terms ORed, expressions ANDed) and taints. */
function daemonRunsOn(daemonSet: any, node: Node): boolean {
  const pod = daemonSet.spec.template.spec;
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{ matchExpressions: [] }];
  const selected = terms.some((t: any) => t.matchExpressions.every((e: any) => e.operator === "In" && e.values.includes(node.labels[e.key])));
  return selected && tolerated(pod.tolerations, node.taints);
}

/**
 * Whether the GPU Operator v26.7.0 runs its DaemonSets on a node: its NFD worker must reach the node to
 * label its NVIDIA PCI device, the node must not opt out (nvidia.com/gpu.deploy.operands=false removes
 * every deploy label, controllers/state_manager.go), and daemonsets.tolerations (which replaces every
 * operand's) must admit it.
 */
function operatorRunsOn(values: any, node: Node): boolean {
  const nfd = tolerated(values["node-feature-discovery"].worker.tolerations, node.taints);
  return nfd && node.labels[OPERATOR_OPT_OUT.key] !== OPERATOR_OPT_OUT.value && tolerated(values.daemonsets.tolerations, node.taints);
}

const operatorRelease = (plan: PlanResult) => ofType(plan, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === charts.gpuOperator.chart);
const operatorValuesOf = (plan: PlanResult) => operatorRelease(plan)!.inputs.values as any;
const podMonitors = (plan: PlanResult) => plan.objects.map((o) => o.object as any).filter((o) => o.kind === "PodMonitor");
const dcgmMonitors = (plan: PlanResult) => podMonitors(plan).filter((m) => m.spec.podMetricsEndpoints[0].relabelings[0].replacement === JOBS.dcgmExporter);
const stackResolver = (root: string, stack: string) => {
  const file = loadStackFile(root, stack);
  return stackImages(parseStackConfig(file.config, file.file, file.secretKeys)).images;
};

/** The GKE node pools' nodes as the scheduler sees them. */
function gkeNodes(plan: PlanResult): (Node & { pool: string })[] {
  return ofType(plan, "gcp:container/nodePool:NodePool").map((p) => {
    const config = (p.inputs as any).nodeConfig;
    return { pool: (p.inputs as any).name, labels: config.labels ?? {}, taints: (config.taints ?? []).map((t: any) => ({ key: t.key, effect: EFFECT[t.effect] })) };
  });
}

/** The EKS node groups' nodes as the scheduler sees them. */
function eksNodes(plan: PlanResult): (Node & { pool: string })[] {
  return ofType(plan, "aws:eks/nodeGroup:NodeGroup").map((g) => {
    const inputs = g.inputs as any;
    return { pool: inputs.labels["kfp-platform/pool"], labels: inputs.labels, taints: (inputs.taints ?? []).map((t: any) => ({ key: t.key, effect: EFFECT[t.effect] })) };
  });
}

/**
 * Each image key of the GPU Operator chart at v26.7.0 (deployments/gpu-operator/values.yaml, and the
 * node-feature-discovery subchart's image with its appVersion) as the chart's defaults compose it: the
 * table must pin exactly these.
 */
const CHART_DEFAULTS: Record<string, string> = {
  operator: "nvcr.io/nvidia/gpu-operator:v26.7.0",
  validator: "nvcr.io/nvidia/gpu-operator:v26.7.0",
  "driver.manager": "nvcr.io/nvidia/cloud-native/k8s-driver-manager:v0.12.0",
  toolkit: "nvcr.io/nvidia/k8s/container-toolkit:v1.20.0",
  devicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
  dcgmExporter: "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless",
  gfd: "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
  migManager: "nvcr.io/nvidia/cloud-native/k8s-mig-manager:v0.15.0",
};

/** The example stacks, by GPU source: EKS NVIDIA AMIs (aws-*) and the GPU Operator on GKE (gcp-*). */
const plans: Record<string, PlanResult> = {};
before(async () => {
  for (const stack of ["aws-prod", "aws-dev", "gcp-dev", "gcp-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
});
const plansOf = (...stacks: string[]) => stacks.map((stack) => plans[stack]);

describe("GPU source: EKS NVIDIA AMI (aws-prod; aws-dev's spot pool)", () => {
  it("advertises nvidia.com/gpu with the kit's device plugin on every GPU group's nodes, which reaches the AMI's driver through containerd's default nvidia runtime", () => {
    for (const plan of plansOf("aws-prod", "aws-dev")) {
      assert.equal(operatorRelease(plan), undefined, "no GPU Operator: the AMI brings driver and toolkit");
      const plugin = findObject(plan, "DaemonSet", "nvidia-device-plugin") as any;
      const pod = plugin.spec.template.spec;
      // No runtime class: the AMI's default runtime hands the container NVML (a class named nvidia exists only under the operator).
      assert.equal(pod.runtimeClassName, undefined);
      assert.deepEqual(pod.containers[0].env, [{ name: "FAIL_ON_INIT_ERROR", value: "true" }], "the image's default envvar strategy, which the default nvidia runtime honours");
      const nodes = eksNodes(plan);
      const gpuNodes = nodes.filter((n) => n.taints.some((t) => t.key === GPU_TAINT.key));
      assert.ok(gpuNodes.length > 0);
      for (const node of nodes) assert.equal(daemonRunsOn(plugin, node), gpuNodes.includes(node), node.pool);
    }
  });

  it("runs the kit's plugin and exporter on the spot pool too", () => {
    const spot = eksNodes(plans["aws-dev"]).find((n) => n.taints.some((t) => t.key === SPOT_TAINT.key));
    assert.ok(spot, "aws-dev has a spot GPU group");
    for (const name of KIT_DAEMONS) assert.ok(daemonRunsOn(findObject(plans["aws-dev"], "DaemonSet", name), spot), name);
  });

  it("scrapes the kit's exporter under the job the GPU alerts read", () => {
    const [monitor, ...others] = dcgmMonitors(plans["aws-prod"]);
    assert.deepEqual(others, []);
    const exporter = findObject(plans["aws-prod"], "DaemonSet", "dcgm-exporter") as any;
    assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [exporter.metadata.namespace]);
    assert.deepEqual(monitor.spec.selector.matchLabels, exporter.spec.template.metadata.labels);
    assert.ok(exporter.spec.template.spec.containers[0].ports.some((p: any) => p.name === monitor.spec.podMetricsEndpoints[0].port));
    assert.equal(monitor.metadata.labels.release, STACK_RELEASE);
  });
});

describe("GPU source: the GPU Operator on GKE (gcp-dev's spot L4 pool; gcp-prod's L4 and A100 pools)", () => {
  it("advertises nvidia.com/gpu with the operator's own device plugin, left under the runtime class and CDI mode that reach the driver, and no kit daemon", () => {
    for (const plan of plansOf("gcp-dev", "gcp-prod")) {
      assert.deepEqual(plan.problems, []);
      for (const name of KIT_DAEMONS) assert.equal(findObject(plan, "DaemonSet", name), undefined, name);
      assert.equal(findObject(plan, "Namespace", "kfp-platform-gpu"), undefined);
      const v = operatorValuesOf(plan);
      assert.deepEqual([v.devicePlugin.enabled, v.dcgmExporter.enabled, v.dcgm.enabled], [true, true, false]);
      // The operator gives its plugin and exporter runtime class nvidia and the CDI device-list strategy only
      // with CDI on (its default) and operator.runtimeClass at its default; the kit overrides neither.
      assert.equal(v.cdi, undefined);
      assert.equal(v.operator.runtimeClass, undefined);
      assert.equal(v.devicePlugin.env, undefined);
      assert.ok(!(v.toolkit.env ?? []).some((e: any) => e.name === "NVIDIA_RUNTIME_SET_AS_DEFAULT"));
      assert.equal(v.driver.version, "580.173.02");
    }
  });

  it("runs every operator daemon and the NFD worker on each GPU pool's nodes, spot ones included", () => {
    for (const plan of plansOf("gcp-dev", "gcp-prod")) {
      const v = operatorValuesOf(plan);
      const gpuNodes = gkeNodes(plan).filter((n) => n.taints.some((t) => t.key === GPU_TAINT.key));
      assert.ok(gpuNodes.length > 0);
      for (const node of gpuNodes) assert.ok(operatorRunsOn(v, node), node.pool);
      for (const list of [v.daemonsets.tolerations, v["node-feature-discovery"].worker.tolerations]) {
        for (const taint of [GPU_TAINT, SPOT_TAINT]) assert.ok(tolerated(list, [taint]), taint.key);
      }
    }
    assert.ok(gkeNodes(plans["gcp-dev"]).some((n) => n.taints.some((t) => t.key === SPOT_TAINT.key)), "gcp-dev's L4 pool is spot");
  });

  it("scrapes the operator's DCGM exporter under the kit's job, with the kit's counters", () => {
    for (const plan of plansOf("gcp-dev", "gcp-prod")) {
      const [monitor, ...others] = dcgmMonitors(plan);
      assert.deepEqual(others, []);
      assert.equal(monitor.metadata.name, "dcgm-exporter-gpu-operator");
      assert.equal(monitor.metadata.labels.release, STACK_RELEASE);
      assert.deepEqual(monitor.spec.namespaceSelector.matchNames, [operatorRelease(plan)!.inputs.namespace]);
      // Pod label and port name of gpu-operator v26.7.0 assets/state-dcgm-exporter/0800_daemonset.yaml.
      assert.deepEqual(monitor.spec.selector.matchLabels, { app: "nvidia-dcgm-exporter" });
      assert.equal(monitor.spec.podMetricsEndpoints[0].port, "metrics");
      assert.equal(monitor.spec.podMetricsEndpoints[0].honorLabels, true);
      const v = operatorValuesOf(plan).dcgmExporter;
      assert.deepEqual(v.config, { name: "kfp-platform-dcgm-counters", create: true, data: DCGM_COUNTERS.join("\n") });
      assert.deepEqual(v.serviceMonitor, { enabled: false });
    }
  });

  it("takes every operator image from the versions table through the resolver, so Artifact Registry serves it", () => {
    for (const stack of ["gcp-dev", "gcp-prod"]) {
      const plan = plans[stack];
      const resolver = stackResolver(REPO_ROOT, stack);
      const registry = `europe-west4-docker.pkg.dev/${stack === "gcp-dev" ? "acme-ml-dev/kfp-dev" : "acme-ml-prod/kfp-prod"}-`;
      const v = operatorValuesOf(plan);
      for (const [path, name] of Object.entries(OPERATOR_COMPONENT_IMAGES) as [string, ImageName][]) {
        const keys = path.split(".").reduce((o, k) => o[k], v);
        const ref = `${keys.repository}/${keys.image}:${keys.version}`;
        assert.equal(ref, resolver.ref(name), path);
        assert.ok(ref.startsWith(registry), ref);
      }
      const nfd = v["node-feature-discovery"].image;
      assert.equal(`${nfd.repository}:${nfd.tag}`, resolver.ref("nodeFeatureDiscovery"));
      assert.ok(nfd.repository.startsWith(`${registry}registry-k8s-io/`), nfd.repository);
      assert.equal(`${v.driver.repository}/${v.driver.image}`, resolver.route(charts.gpuOperator.driverRepository));
      assert.ok(v.driver.repository.startsWith(`${registry}nvcr-io/`));
    }
  });

  it("pins in the table exactly the images the chart's values.yaml names at v26.7.0", () => {
    for (const [path, name] of Object.entries(OPERATOR_COMPONENT_IMAGES) as [string, ImageName][]) assert.equal(pinnedReference(images[name]), CHART_DEFAULTS[path], path);
    assert.equal(pinnedReference(images.nodeFeatureDiscovery), "registry.k8s.io/nfd/node-feature-discovery:v0.19.0");
    assert.equal(`${charts.gpuOperator.driverRepository}:${charts.gpuOperator.defaultDriver}`, "nvcr.io/nvidia/driver:595.91.07");
    for (const name of [...Object.values(OPERATOR_COMPONENT_IMAGES), "nodeFeatureDiscovery"] as ImageName[]) {
      assert.ok(!("onlyOn" in images[name]) || !(images[name] as any).onlyOn.includes("aws"), `${name}: EKS never runs the operator`);
    }
  });

  it("writes tag@digest where a digest is known (every image but the driver, whose tag the operator suffixes with the node's OS)", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const v = operatorValues({ images: new ImageResolver({ digests: { gpuOperator: digest, nodeFeatureDiscovery: digest } }, {}), driverVersion: "580.173.02", gke: false });
    assert.equal(`${v.operator.repository}/${v.operator.image}:${v.operator.version}`, `nvcr.io/nvidia/gpu-operator:v26.7.0@${digest}`);
    assert.equal(`${v["node-feature-discovery"].image.repository}:${v["node-feature-discovery"].image.tag}`, `registry.k8s.io/nfd/node-feature-discovery:v0.19.0@${digest}`);
    assert.equal(v.driver.version, "580.173.02");
    // A mirror replaces every registry, the driver's too.
    const mirrored = operatorValues({ images: new ImageResolver({ registry: "mirror.example.com/kfp" }, {}), driverVersion: "580.173.02", gke: false });
    for (const key of [...Object.keys(OPERATOR_COMPONENT_IMAGES).filter((p) => !p.includes(".")), "driver"]) assert.ok((mirrored as any)[key].repository.startsWith("mirror.example.com/kfp/"), key);
    assert.ok(mirrored["node-feature-discovery"].image.repository.startsWith("mirror.example.com/kfp/"));
  });

  it("lists every operator image in `npm run images`, with its table source, and the driver with its per-node OS tag", () => {
    const r = runCli("images", ["gcp-dev"]);
    assert.equal(r.status, 0, r.stderr);
    const lines = new Set(r.stdout.trim().split("\n"));
    const resolver = stackResolver(REPO_ROOT, "gcp-dev");
    for (const name of [...new Set(Object.values(OPERATOR_COMPONENT_IMAGES)), "nodeFeatureDiscovery"] as ImageName[]) {
      assert.ok(lines.has(`${resolver.ref(name)}\t${pinnedReference(images[name])}`), name);
    }
    assert.deepEqual(perNodeImages(plans["gcp-dev"]), [`${resolver.route(charts.gpuOperator.driverRepository)}:580.173.02`]);
    assert.match(r.stderr, /also pulled: \S+\/nvidia\/driver:580\.173\.02-<node OS> \(from nvcr\.io\/nvidia\/driver:580\.173\.02-<node OS>\)/);
    assert.ok(imagesOf(plans["gcp-prod"]).includes(stackResolver(REPO_ROOT, "gcp-prod").ref("migManager")));
  });
});

describe("GPU source: the GPU Operator on an existing cluster, beside a pool with its own driver", () => {
  let plan: PlanResult;
  let operatorOnly: PlanResult;
  const selectors = { old: { "gpu-class": "t4" }, new: { "gpu-class": "l40s" } };
  before(async () => {
    const root = tempRoot({
      mixed: [
        "config:",
        "  kfp-platform:environment: dev",
        "  kfp-platform:cluster:",
        "    target: existing",
        "    gpuPools:",
        "      old: { nodeSelector: { gpu-class: t4 }, driver: preinstalled, driverVersion: 550.54.14, cuda: '12.4' }",
        "      new: { nodeSelector: { gpu-class: l40s }, driver: gpu-operator, cuda: '12.8', capacity: spot }",
        "  kfp-platform:gpu:",
        "    operator: { driverVersion: 580.126.20 }",
        "",
      ].join("\n"),
      onlyop: [
        "config:",
        "  kfp-platform:environment: dev",
        "  kfp-platform:cluster:",
        "    target: existing",
        "    gpuPools:",
        "      new: { nodeSelector: { gpu-class: l40s }, driver: gpu-operator, cuda: '12.8' }",
        "  kfp-platform:gpu:",
        "    operator: { driverVersion: 580.126.20 }",
        "",
      ].join("\n"),
    });
    plan = await planStack("mixed", { root, outDir: null, policyConfig: "prod" });
    operatorOnly = await planStack("onlyop", { root, outDir: null, policyConfig: "prod" });
    assert.deepEqual([plan.problems, operatorOnly.problems], [[], []]);
  });

  /** A node of a pool: its selector, plus the labels the pool's labelCommand gives it when `labelled`. */
  const poolNode = (pool: "old" | "new", labelled: boolean): Node => {
    const out = (plan.outputs.gpuPools as any[]).find((p) => p.name === pool);
    return { labels: { ...selectors[pool], ...(labelled ? out.nodeLabels : {}) }, taints: pool === "new" ? [GPU_TAINT, SPOT_TAINT] : [GPU_TAINT] };
  };

  it("advertises nvidia.com/gpu with the operator's plugin on its pool and the kit's on the other, never both on one node", () => {
    const v = operatorValuesOf(plan);
    assert.deepEqual([v.devicePlugin.enabled, v.dcgmExporter.enabled, v.cdi, v.operator.runtimeClass], [true, true, undefined, undefined]);
    const plugin = findObject(plan, "DaemonSet", "nvidia-device-plugin") as any;
    const terms = plugin.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.deepEqual(terms, [{ matchExpressions: [{ key: "gpu-class", operator: "In", values: ["t4"] }, { key: OPERATOR_OPT_OUT.key, operator: "In", values: [OPERATOR_OPT_OUT.value] }] }]);
    const exporter = findObject(plan, "DaemonSet", "dcgm-exporter");
    const runs = (node: Node) => ({ kit: daemonRunsOn(plugin, node), kitExporter: daemonRunsOn(exporter, node), operator: operatorRunsOn(v, node) });
    assert.deepEqual(runs(poolNode("old", true)), { kit: true, kitExporter: true, operator: false });
    assert.deepEqual(runs(poolNode("new", true)), { kit: false, kitExporter: false, operator: true }, "the spot pool included");
    // Not yet labelled, or labelled into both pools: still one plugin at most.
    const both = { labels: { ...poolNode("old", true).labels, ...selectors.new }, taints: [GPU_TAINT, SPOT_TAINT] };
    for (const node of [poolNode("old", false), poolNode("new", false), both]) {
      const r = runs(node);
      assert.ok(!(r.kit && r.operator), JSON.stringify(node.labels));
    }
  });

  it("prints the operator's opt-out label in the label command of the pool with its own driver only", () => {
    const commands = Object.fromEntries((plan.outputs.gpuPools as any[]).map((p) => [p.name, p.labelCommand]));
    assert.match(commands.old, /kubectl label nodes -l gpu-class=t4 --overwrite .*nvidia\.com\/gpu\.deploy\.operands=false/);
    assert.doesNotMatch(commands.new, /gpu\.deploy\.operands/);
    assert.match(commands.new, /kubectl taint nodes -l gpu-class=l40s --overwrite nvidia\.com\/gpu=true:NoSchedule kfp-platform\/spot=true:NoSchedule/);
  });

  it("scrapes both exporters under the one job the GPU alerts read", () => {
    const monitors = dcgmMonitors(plan).map((m) => [m.metadata.name, m.spec.namespaceSelector.matchNames[0], m.spec.podMetricsEndpoints[0].port]);
    assert.deepEqual(monitors.sort(), [
      ["dcgm-exporter", "kfp-platform-gpu", "metrics"],
      ["dcgm-exporter-gpu-operator", "gpu-operator", "metrics"],
    ]);
  });

  it("runs no kit daemon and asks for no opt-out label where every pool is the operator's", () => {
    for (const name of KIT_DAEMONS) assert.equal(findObject(operatorOnly, "DaemonSet", name), undefined, name);
    assert.equal(operatorValuesOf(operatorOnly).devicePlugin.enabled, true);
    assert.doesNotMatch(JSON.stringify(operatorOnly.outputs.gpuPools), /gpu\.deploy\.operands/);
    assert.deepEqual(dcgmMonitors(operatorOnly).map((m) => m.metadata.name), ["dcgm-exporter-gpu-operator"]);
    // Existing clusters are not GKE: CoreDNS stays scraped.
    const stack = ofType(operatorOnly, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === charts.kubePrometheusStack.chart)!;
    assert.equal((stack.inputs.values as any).coreDns, undefined);
  });
});
