// The pack inside `npm run plan`: every example stack passes the prod config, and deliberately broken
// programs, a drifted versions table and an over-loose stack file fail the plan naming what broke.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { planStack, type PlanResult } from "../engine/plan";
import { listStacks } from "../engine/stack-file";
import { formatSummary } from "../engine/summary";
import { parseQuantity } from "../modules/config/quantities";
import { ImageResolver } from "../modules/images";
import { images, refusedKfpVersions } from "../modules/versions";
import { containersOf, REPO_ROOT, runPlanCli, stackYaml, tempRoot } from "./helpers";

const prodRoot = tempRoot({ prod: stackYaml("", "prod") });
const policyProblems = (plan: PlanResult) => plan.problems.filter((p) => p.startsWith("policy"));

/** Plans a one-off program in a prod stack; every Kubernetes object goes through an explicit provider. */
function planBroken(build: (provider: k8s.Provider) => void): Promise<PlanResult> {
  return planStack("prod", {
    root: prodRoot,
    outDir: null,
    program: async () => {
      build(new k8s.Provider("k8s", { context: "kind-test" }));
      return { environment: "prod" };
    },
  });
}

const pod = (image: string, resources?: object) => ({
  metadata: { name: "app", namespace: "kubeflow" },
  spec: {
    selector: { matchLabels: { app: "app" } },
    template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image, ...(resources ? { resources } : {}) }] } },
  },
});
const sized = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };

describe("policies in the plan", () => {
  it("passes every example stack under its environment's config, and the non-prod ones under prod's but for prod's backup minimum", async () => {
    const stacks = listStacks(REPO_ROOT);
    assert.ok(stacks.length > 0);
    for (const stack of stacks) {
      const plan = await planStack(stack, { root: REPO_ROOT, outDir: null });
      assert.deepEqual(policyProblems(plan), [], stack);
      assert.ok(plan.policy!.diagnostics.every((d) => d.level === "advisory"), stack);
      const strict = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: "prod" });
      assert.equal(strict.policy?.configFile, "policies/config/prod.json");
      // Prod keeps 14 days of database backups; dev and staging stacks keep 7 on purpose.
      const environment = (plan.outputs.environment ?? "") as string;
      const expected = environment === "prod" || !strict.resources.some((r) => r.type === "aws:rds/instance:Instance") ? [] : ["data-safety"];
      assert.deepEqual([...new Set(policyProblems(strict).map((p) => /^policy ([\w-]+):/.exec(p)?.[1]))], expected, stack);
    }
  });

  it("feeds the pack every workload of the stack (a 1x memory bound flags exactly those with headroom)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-policy-"));
    const config = join(dir, "tight.json");
    writeFileSync(config, JSON.stringify({ all: "advisory", "container-resources": { maxMemoryLimitRatio: 1 } }));
    const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: config });
    assert.ok(plan.ok, "advisory findings do not fail the plan");
    const ownerOf = new Map(plan.objects.map(({ urn, object }) => [urn, `${object.kind} ${object.metadata.name}`]));
    const flagged = new Set(plan.policy!.diagnostics.filter((d) => d.policy === "container-resources").map((d) => ownerOf.get(d.urn)));
    const memory = (c: any, kind: string) => parseQuantity(c.resources[kind].memory)!;
    const withHeadroom = new Set(containersOf(plan).filter(({ container }) => memory(container, "limits") > memory(container, "requests")).map(({ owner }) => owner));
    assert.ok(withHeadroom.size >= 3);
    assert.deepEqual([...flagged].sort(), [...withHeadroom, "ConfigMap workflow-controller-configmap"].sort());
  });

  it("fails an unpinned image", async () => {
    const plan = await planBroken((provider) => new k8s.apps.v1.Deployment("web", pod("docker.io/library/nginx", sized), { provider }));
    assert.equal(plan.ok, false);
    assert.deepEqual(policyProblems(plan).map((p) => /^policy ([\w-]+): (\S+): /.exec(p)?.slice(1).join(" ")), [
      "images-pinned urn:pulumi:prod::kfp-platform::kubernetes:apps/v1:Deployment::web",
    ]);
    assert.match(policyProblems(plan)[0], /\[images-pinned\] Deployment kubeflow\/app: container app image docker\.io\/library\/nginx has no tag, so it pulls whatever latest is today\. Fix: /);
  });

  it("fails a container without limits", async () => {
    const plan = await planBroken((provider) => new k8s.apps.v1.Deployment("web", pod(new ImageResolver().ref("mysql")), { provider }));
    assert.equal(plan.ok, false);
    assert.match(policyProblems(plan).join("\n"), /^policy container-resources: \S+Deployment::web: \[container-resources\] Deployment kubeflow\/app: container app has no CPU request, no memory request, no memory limit\. Fix: /m);
  });

  it("fails a 2.14.3 KFP image, giving the reason it is refused", async () => {
    const refused = "2.14.3";
    assert.ok(refusedKfpVersions[refused], "the versions table refuses 2.14.3");
    const plan = await planBroken((provider) => new k8s.apps.v1.Deployment("api", pod(`${images.kfpApiServer.repository}:${refused}`, sized), { provider }));
    assert.equal(plan.ok, false);
    const [problem] = policyProblems(plan).filter((p) => p.startsWith("policy kfp-images-pinned:"));
    assert.ok(problem.includes(`is KFP ${refused}, which is refused: ${refusedKfpVersions[refused]}`), problem);
  });

  it("fails a GPU node group without a driver pin", async () => {
    const plan = await planBroken(() => new aws.eks.NodeGroup("gpu", {
      clusterName: "kfp",
      nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
      subnetIds: ["subnet-1"],
      amiType: "AL2023_x86_64_NVIDIA",
      instanceTypes: ["g6.xlarge"],
      scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 },
      taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
    }));
    assert.equal(plan.ok, false);
    assert.deepEqual(policyProblems(plan).map((p) => /^policy gpu-drivers-pinned: \S+::gpu: .*: GPU node group \(AL2023_x86_64_NVIDIA\) does not pin (the Kubernetes version|releaseVersion)/.exec(p)?.[1]), [
      "the Kubernetes version",
      "releaseVersion",
    ]);
  });

  it("fails cluster-admin bound to a team group, at the binding's URN (a stack policy)", async () => {
    const plan = await planBroken((provider) => new k8s.rbac.v1.ClusterRoleBinding("team-admin", {
      metadata: { name: "team-a-admin" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "team-a" }],
    }, { provider }));
    assert.deepEqual(policyProblems(plan), [
      "policy team-access: urn:pulumi:prod::kfp-platform::kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding::team-admin: [team-access] ClusterRoleBinding team-a-admin: binds cluster-admin to team group team-a. Fix: bind the team to a namespaced Role in its own namespace (or list the group in team-access.adminGroups if it really administers the platform).",
    ]);
    assert.match(formatSummary(plan), /policies: kfp-platform@\d+\.\d+\.\d+ with policies\/config\/prod\.json: 1 mandatory, \d+ advisory violations/);
  });

  it("reports a dev-relaxed policy as advisory without failing the plan", async () => {
    const plan = await planStack("dev", {
      root: tempRoot({ dev: stackYaml() }),
      outDir: null,
      program: async () => {
        new aws.eks.NodeGroup("gpu", { clusterName: "kfp", nodeRoleArn: "arn", subnetIds: ["s"], amiType: "AL2023_x86_64_NVIDIA", scalingConfig: { minSize: 0, maxSize: 1, desiredSize: 0 }, taints: [{ key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }] });
        return { environment: "dev" };
      },
    });
    assert.ok(plan.ok, plan.problems.join("\n"));
    assert.deepEqual(plan.policy!.diagnostics.map((d) => `${d.level} ${d.policy}`), ["advisory gpu-drivers-pinned", "advisory gpu-drivers-pinned"]);
    assert.match(formatSummary(plan), /\n {4}advisory gpu-drivers-pinned: 2 findings \(--verbose lists them\)\n/, "collapsed to a count by default");
    assert.match(formatSummary(plan, { verbose: true }), /\n {4}advisory gpu-drivers-pinned: urn:pulumi:dev::kfp-platform::aws:eks\/nodeGroup:NodeGroup::gpu\n {6}\[gpu-drivers-pinned\]/);
  });

  it("in preview, reports a policy that meets an unknown value as advisory, as the engine does", async () => {
    const plan = await planStack("prod", {
      root: prodRoot,
      outDir: null,
      preview: true,
      program: async () => {
        const tag = new random.RandomString("tag", { length: 8, special: false });
        new k8s.apps.v1.Deployment("web", pod(tag.result.apply((t) => `ghcr.io/example/app:${t}`) as unknown as string, sized), { provider: new k8s.Provider("k8s", {}) });
        return { environment: "prod" };
      },
    });
    assert.deepEqual(policyProblems(plan), []);
    const unknown = plan.policy!.diagnostics.filter((d) => /during preview/.test(d.message));
    assert.ok(unknown.some((d) => d.policy === "images-pinned" && d.level === "advisory" && d.urn.endsWith("::web")), JSON.stringify(plan.policy!.diagnostics));
  });

  it("fails `local` when the versions table unpins KFP or Argo", async () => {
    const kfp = images.kfpApiServer as { tag: string };
    const argo = images.argoExec as { tag: string };
    const saved = [kfp.tag, argo.tag];
    kfp.tag = Object.keys(refusedKfpVersions)[0];
    argo.tag = "latest";
    try {
      const plan = await planStack("local", { root: REPO_ROOT, outDir: null });
      const failed = new Set(policyProblems(plan).map((p) => p.split(":")[0]));
      assert.deepEqual([...failed].sort(), ["policy argo-matches-kfp", "policy images-pinned", "policy kfp-images-pinned"]);
    } finally {
      [kfp.tag, argo.tag] = saved;
    }
  });

  it("fails `local` naming the image when a pin becomes a version prefix (upstream's own mysql:8.4)", async () => {
    const mysql = images.mysql as { tag: string };
    const saved = mysql.tag;
    mysql.tag = "8.4";
    try {
      const plan = await planStack("local", { root: REPO_ROOT, outDir: null });
      assert.equal(plan.ok, false);
      const pinned = policyProblems(plan).filter((p) => p.startsWith("policy images-pinned"));
      assert.ok(pinned.length > 0, policyProblems(plan).join("\n"));
      for (const p of pinned) assert.match(p, /docker\.io\/library\/mysql:8\.4 uses the version prefix 8\.4 \(2 of 3 version parts\)/);
    } finally {
      mysql.tag = saved;
    }
  });

  it("rejects a broken policy config file as a plan problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-policy-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ "container-resource": "advisory", "container-resources": { maxMemoryLimitRatio: 0 } }));
    const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: join(dir, "bad.json") });
    assert.equal(plan.ok, false);
    assert.match(plan.problems.join("\n"), /^policy config: .*bad\.json: no policy named container-resource in kfp-platform$/m);
  });

  it("makes `npm run plan` exit 1 when a stack file loosens a container past the bound", () => {
    const root = tempRoot({ loose: stackYaml("  kfp-platform:objectStore:\n    kind: minio\n    resources:\n      requests: { memory: 16Mi }\n      limits: { memory: 8Gi }\n") });
    const r = runPlanCli(["--root", root, "loose"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /policy container-resources: \S+::platform-minio-deployment: \[container-resources\] Deployment kubeflow\/minio: container minio may grow to 512\.0x its memory request \(16Mi -> 8Gi\), above 16x/);
  });
});
