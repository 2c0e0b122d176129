// The local plan against upstream KFP 2.14.0: every upstream object by kind and name (but the cache
// deployer's RBAC, left out on purpose), env var names and ports a superset of upstream's, KFP images at
// 2.14.0, Argo at v3.6.7, a pullable MinIO, and requests plus a memory limit on every container.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { capacityOf } from "../engine/capacity";
import { imagesOf } from "../engine/images";
import { planStack, type PlanResult } from "../engine/plan";
import { ImageResolver } from "../modules/images";
import { LEFT_OUT_RBAC } from "../modules/kfp/rbac-facts";
import { images, releases } from "../modules/versions";
import { UPSTREAM_CONTAINERS, UPSTREAM_OBJECTS, UPSTREAM_SERVICE_PORTS } from "./fixtures/kfp-2.14.0";
import { containersOf, findObject, REPO_ROOT } from "./helpers";
import { SMALL_PROFILE_PARALLELISM, WORKFLOW_TTL_SECONDS } from "../modules/config/kfp";

describe("KFP 2.14.0 parity (local stack)", () => {
  let plan: PlanResult;
  before(async () => {
    plan = await planStack("local", { root: REPO_ROOT, outDir: null });
    assert.deepEqual(plan.problems, []);
  });

  it("creates all 81 upstream objects by kind and name, but the cache deployer's four RBAC objects", () => {
    assert.equal(UPSTREAM_OBJECTS.length, 81);
    const leftOut = (kind: string, name: string) => LEFT_OUT_RBAC.some(([k, n]) => k === kind && n === name);
    assert.equal(UPSTREAM_OBJECTS.filter(([kind, name]) => leftOut(kind, name)).length, LEFT_OUT_RBAC.length, "every left-out object is upstream's");
    const missing = UPSTREAM_OBJECTS.filter(([kind, name]) => !leftOut(kind, name) && !findObject(plan, kind, name));
    assert.deepEqual(missing, []);
    assert.deepEqual(LEFT_OUT_RBAC.filter(([kind, name]) => findObject(plan, kind, name)), [], "the deployer never runs: its rights would serve only a pod that borrows its ServiceAccount");
  });

  it("keeps every upstream env var name and port on every container", () => {
    for (const [key, upstream] of Object.entries(UPSTREAM_CONTAINERS)) {
      const [deployment, container] = key.split("/");
      const ours = containersOf(plan).find((c) => c.owner === `Deployment ${deployment}` && c.container.name === container)?.container;
      assert.ok(ours, `${key} missing`);
      const env = new Set((ours.env ?? []).map((e: any) => e.name));
      // The one deliberate removal: MySQL no longer runs root with an empty password.
      const expected = upstream.env.filter((name) => name !== "MYSQL_ALLOW_EMPTY_PASSWORD");
      assert.deepEqual(expected.filter((name) => !env.has(name)), [], `${key} env`);
      const ports = new Set((ours.ports ?? []).map((p: any) => p.containerPort));
      assert.deepEqual(upstream.ports.filter((p) => !ports.has(p)), [], `${key} ports`);
    }
  });

  it("keeps every upstream Service port", () => {
    for (const [name, ports] of Object.entries(UPSTREAM_SERVICE_PORTS)) {
      const service = findObject(plan, "Service", name) as any;
      assert.deepEqual(service.spec.ports.map((p: any) => p.port), ports, name);
    }
  });

  it("runs KFP images at exactly 2.14.0, Argo at v3.6.7, and a pullable MinIO", () => {
    const refs = containersOf(plan).map((c) => c.container.image as string);
    const kfp = refs.filter((r) => r.startsWith("ghcr.io/kubeflow/"));
    assert.ok(kfp.length >= 10);
    for (const ref of kfp) assert.match(ref, new RegExp(`:${releases.kfp.version.replace(/\./g, "\\.")}$`), ref);
    assert.ok(refs.includes(`quay.io/argoproj/workflow-controller:${releases.argo.version}`));
    const controller = findObject(plan, "Deployment", "workflow-controller") as any;
    const args: string[] = controller.spec.template.spec.containers[0].args;
    assert.equal(args[args.indexOf("--executor-image") + 1], `quay.io/argoproj/argoexec:${releases.argo.version}`);
    const api = (findObject(plan, "Deployment", "ml-pipeline") as any).spec.template.spec.containers[0];
    const env = Object.fromEntries(api.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.V2_DRIVER_IMAGE, `ghcr.io/kubeflow/kfp-driver:${releases.kfp.version}`);
    assert.equal(env.V2_LAUNCHER_IMAGE, `ghcr.io/kubeflow/kfp-launcher:${releases.kfp.version}`);
    const minio = refs.find((r) => r.includes("minio"))!;
    assert.equal(minio, `${images.minio.repository}:${images.minio.tag}`);
    assert.ok(!minio.startsWith("gcr.io/ml-pipeline/"), "upstream's gcr.io MinIO image can no longer be pulled");
  });

  it("gives every container cpu and memory requests and a memory limit not below its request", () => {
    const mib = (q: string) => Number(/^(\d+)(Mi|Gi)$/.exec(q)![1]) * (q.endsWith("Gi") ? 1024 : 1);
    for (const { owner, container } of containersOf(plan)) {
      const r = container.resources;
      assert.ok(r?.requests?.cpu && r?.requests?.memory && r?.limits?.memory, `${owner}/${container.name}`);
      assert.ok(mib(r.limits.memory) >= mib(r.requests.memory), `${owner}/${container.name} limit < request`);
    }
  });

  it("sizes Argo's executor containers, gives steps defaults by LimitRange, and sets no mainContainer resources", () => {
    const cm = (findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data;
    assert.match(cm.executor, /resources:\n\s+requests:\n\s+cpu: 10m\n\s+memory: 64Mi\n\s+limits:\n\s+memory: 512Mi/);
    assert.equal(cm.mainContainer, undefined);
    const range = findObject(plan, "LimitRange", "kfp-step-defaults") as any;
    assert.equal(range.metadata.namespace, "kubeflow");
    assert.deepEqual(range.spec.limits, [{ type: "Container", defaultRequest: { cpu: "100m", memory: "256Mi" } }]);
  });

  it("writes no Argo persistence by default, so the controller never needs MySQL to start", () => {
    const cm = (findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data;
    assert.equal(cm.persistence, undefined);
    assert.equal(cm.parallelism, String(SMALL_PROFILE_PARALLELISM), "the local stack's cap: what the small profile's limits hold");
  });

  it("leaves deleting finished Workflows to KFP, which deletes only recorded ones: no Argo TTL by default", () => {
    const cm = (findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data;
    const defaults = parse(cm.workflowDefaults);
    assert.equal(defaults.spec.ttlStrategy, undefined, "Argo's TTL deletes Workflows whether the persistence agent recorded them or not");
    assert.deepEqual(defaults.spec.podGC, { strategy: "OnPodSuccess", deleteDelayDuration: "5m" });
    const agent = (findObject(plan, "Deployment", "ml-pipeline-persistenceagent") as any).spec.template.spec.containers[0];
    assert.equal(agent.env.find((e: any) => e.name === "TTL_SECONDS_AFTER_WORKFLOW_FINISH").value, String(WORKFLOW_TTL_SECONDS), "an hour, not upstream's day: every controller caches what it keeps (docs/scaling.md)");
  });

  it("lists every image the stack pulls, pipeline-time images included, all from the versions table", () => {
    const listed = imagesOf(plan);
    const table = new Set(new ImageResolver().all().map((i) => i.ref));
    for (const runtime of ["kfp-driver:2.14.0", "kfp-launcher:2.14.0", "argoexec:v3.6.7", "busybox:1.36.1"]) {
      assert.ok(listed.some((ref) => ref.endsWith(`/${runtime}`)), runtime);
    }
    assert.deepEqual(listed.filter((ref) => !table.has(ref)), []);
  });

  it("fits a 4-CPU, 8 GiB laptop cluster with room for runs", () => {
    const c = capacityOf(plan.objects);
    assert.ok(c.cpuRequest < 2, `control plane requests ${c.cpuRequest} CPU`);
    assert.ok(c.memoryRequest < 5 * 2 ** 30, `control plane requests ${c.memoryRequest / 2 ** 30} GiB`);
  });
});
