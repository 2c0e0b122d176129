// ECR pull-through caches (docs/images.md): the rules a stack's registries and logins imply, every pod
// pulling through them, the node role allowed to fill exactly those caches, the images no cache serves
// listed with their copy command, and bad cache config refused with the key and the fix.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { imagesOf } from "../engine/images";
import { formatSummary } from "../engine/summary";
import { registryAllowed } from "../policies/src/rules/images-pinned";
import { images, IMAGE_NAMES, type ImagePin } from "../modules/versions";
import { configProblems, ofType, REPO_ROOT, tempRoot } from "./helpers";

const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const plans: Record<string, PlanResult> = {};

/** aws-prod's stack file with its cluster config changed. */
function prodWith(change: (cluster: any) => void): string {
  const doc = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.aws-prod.yaml"), "utf8"));
  change(doc.config["kfp-platform:cluster"]);
  return stringify(doc);
}

before(async () => {
  for (const stack of ["aws-dev", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
  const root = tempRoot({ mirrored: prodWith((c) => (c.imageCaches.mirrorUncached = true)) });
  plans.mirrored = await planStack("mirrored", { root, outDir: null, policyConfig: false });
});

describe("ECR pull-through caches", () => {
  it("creates a rule per registry of the table that ECR caches, logins only where the stack names them", () => {
    const rules = (plan: PlanResult) => ofType(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => r.inputs).sort((a: any, b: any) => a.ecrRepositoryPrefix.localeCompare(b.ecrRepositoryPrefix));
    assert.deepEqual(rules(plans["aws-prod"]), [
      { ecrRepositoryPrefix: "kfp-prod/docker-hub", upstreamRegistryUrl: "registry-1.docker.io", credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf" },
      { ecrRepositoryPrefix: "kfp-prod/ecr-public", upstreamRegistryUrl: "public.ecr.aws" },
      { ecrRepositoryPrefix: "kfp-prod/ghcr", upstreamRegistryUrl: "ghcr.io", credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/ghcr-AbCdEf" },
      { ecrRepositoryPrefix: "kfp-prod/k8s", upstreamRegistryUrl: "registry.k8s.io" },
      { ecrRepositoryPrefix: "kfp-prod/quay", upstreamRegistryUrl: "quay.io" },
    ]);
    // aws-dev names no logins: Docker Hub and GHCR get no rule (ECR would refuse one without a secret).
    assert.deepEqual(rules(plans["aws-dev"]).map((r: any) => r.upstreamRegistryUrl).sort(), ["public.ecr.aws", "quay.io", "registry.k8s.io"]);
  });

  it("pulls every image of a cached registry through its cache, KFP's per-step images included, and the rest from upstream", () => {
    const pulled = imagesOf(plans["aws-prod"]);
    const upstream = pulled.filter((ref) => !ref.startsWith(`${ECR}/`));
    // Left upstream: what ECR cannot cache, and step base images the pipelines name themselves.
    assert.deepEqual(upstream.map((r) => r.split("/")[0]).sort(), ["docker.io", "gcr.io", "nvcr.io", "nvcr.io", "nvcr.io"]);
    assert.ok(upstream.includes("docker.io/library/python:3.11.11-slim"), "a declared step image is pulled as the pipeline names it");
    for (const ref of [`${ECR}/kfp-prod/ghcr/kubeflow/kfp-driver:2.14.0`, `${ECR}/kfp-prod/quay/argoproj/argoexec:v3.6.7`, `${ECR}/kfp-prod/docker-hub/library/mysql:8.4.6`, `${ECR}/kfp-prod/ecr-public/aws-cli/aws-cli:2.37.4`]) {
      assert.ok(pulled.includes(ref), ref);
    }
  });

  it("lets the node role create and fill exactly this stack's cache repositories", () => {
    const plan = plans["aws-prod"];
    const policy = plan.resources.find((r) => r.name === "platform-image-caches-node-pull-through")!;
    const [statement] = JSON.parse(policy.inputs.policy as string).Statement;
    assert.deepEqual(statement.Action, ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"]);
    assert.deepEqual(
      [...statement.Resource].sort(),
      ["docker-hub", "ecr-public", "ghcr", "k8s", "quay"].map((s) => `arn:aws:ecr:eu-west-1:123456789012:repository/kfp-prod/${s}/*`),
    );
    const nodeRole = plan.resources.find((r) => r.name === "platform-nodes-role")!;
    assert.deepEqual(policy.propertyDependencies.role, [nodeRole.urn], "attached to the node role");
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of [policy, ...ofType(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")]) assert.ok(provider.dependsOn.includes(r.urn), `pods wait for ${r.name}`);
  });

  it("refuses credentials of another account in both regions' providers", () => {
    for (const p of ofType(plans["aws-prod"], "pulumi:providers:aws")) assert.deepEqual(JSON.parse(String(p.inputs.allowedAccountIds)), ["123456789012"], p.name);
  });

  it("lists each image no cache serves with why and the command that copies it, and after the copy pulls it from there", () => {
    const sources = plans["aws-prod"].outputs.imageSources as any;
    // Images AWS never runs (the Cloud SQL proxy, the GPU Operator's) are neither cached nor mirrored there.
    const awsOnly = IMAGE_NAMES.filter((n) => (images[n] as ImagePin).onlyOn?.includes("aws") ?? true);
    assert.ok(!awsOnly.includes("gpuOperator") && !awsOnly.includes("cloudSqlProxy") && awsOnly.includes("nvidiaDevicePlugin"));
    assert.ok(awsOnly.length < IMAGE_NAMES.length);
    const uncachedTable = awsOnly.filter((n) => /^(gcr|nvcr)\.io\//.test(images[n].repository)).map((n) => `${images[n].repository}:${images[n].tag}`);
    assert.deepEqual(sources.uncached.map((u: any) => u.image).sort(), uncachedTable.sort());
    const mlmd = sources.uncached.find((u: any) => u.image.startsWith("gcr.io/"));
    assert.equal(mlmd.reason, "ECR cannot cache gcr.io");
    assert.equal(mlmd.copy, `skopeo copy --all docker://${mlmd.image} docker://${ECR}/kfp-prod/mirror/${mlmd.image}`);
    // The copy's target exists: an immutable repository per uncached image.
    const repos = ofType(plans["aws-prod"], "aws:ecr/repository:Repository").map((r) => r.inputs);
    assert.deepEqual(repos.map((r: any) => `${ECR}/${r.name}:${mlmd.image.split(":")[1]}`).filter((t) => t.includes("gcr.io")), [`${ECR}/kfp-prod/mirror/${mlmd.image}`]);
    assert.ok(repos.every((r: any) => r.imageTagMutability === "IMMUTABLE"));
    assert.match(formatSummary(plans["aws-prod"]), new RegExp(`images no cache serves \\(${uncachedTable.length}\\)[^\\n]*\\n {4}gcr\\.io/tfx-oss-public/ml_metadata_store_server:1\\.14\\.0: ECR cannot cache gcr\\.io\\n {6}skopeo copy --all `));

    // Without logins, Docker Hub and GHCR images are listed with the key that would cache them.
    const dev = plans["aws-dev"].outputs.imageSources as any;
    const mysql = dev.uncached.find((u: any) => u.image === "docker.io/library/mysql:8.4.6");
    assert.equal(mysql.reason, 'ECR caches docker.io only with credentials: set cluster.imageCaches.credentials["docker.io"]');
    assert.equal(mysql.pulledFrom, "docker.io/library/mysql:8.4.6");

    // mirrorUncached: the copies serve them, and no table image is pulled from outside the account.
    const mirrored = imagesOf(plans.mirrored).filter((ref) => !ref.startsWith(`${ECR}/`));
    assert.deepEqual(mirrored, ["docker.io/library/python:3.11.11-slim", "nvcr.io/nvidia/cuda:12.8.1-runtime-ubuntu24.04"]);
    assert.ok(imagesOf(plans.mirrored).includes(`${ECR}/kfp-prod/mirror/nvcr.io/nvidia/k8s-device-plugin:v0.20.0`));
    assert.deepEqual(plans.mirrored.problems, []);
  });

  it("allows private ECR registries in images-pinned, and no host that merely contains one", () => {
    const allowed = ["quay.io", "*.dkr.ecr.*.amazonaws.com"];
    assert.equal(registryAllowed(`${ECR}`, allowed), true);
    for (const host of ["quay.io.evil.example", `${ECR}.evil.example`, "a.b.dkr.ecr.eu-west-1.amazonaws.com", "123456789012xdkrxecr.eu-west-1.amazonaws.com"]) {
      assert.equal(registryAllowed(host, allowed), false, host);
    }
  });
});

describe("image cache config", () => {
  const FILE = "stacks/Pulumi.aws-test.yaml";
  const secret = (region = "eu-west-1", name = "ecr-pullthroughcache/docker-hub-x") => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}`;
  const problems = (cluster: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] =>
    configProblems(
      {
        cluster: {
          target: "aws",
          region: "eu-west-1",
          accountId: "123456789012",
          name: "kfp-test",
          network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] },
          admins: ["arn:aws:iam::123456789012:role/a"],
          ...cluster,
        },
        ...extra,
      },
      FILE,
    );

  it("accepts logins in the stack's account and region, and refuses any other, naming the key", () => {
    assert.deepEqual(problems({ imageCaches: { credentials: { "docker.io": secret() } } }), []);
    assert.match(problems({ imageCaches: { credentials: { "docker.io": secret("us-east-1") } } })[0], /kfp-platform:cluster\.imageCaches\.credentials\.docker\.io: .*is in 123456789012\/us-east-1; ECR reads the secret only from the stack's own account and region/);
    assert.match(problems({ imageCaches: { credentials: { "docker.io": secret("eu-west-1", "dockerhub") } } })[0], /imageCaches\.credentials\.docker\.io: .*ecr-pullthroughcache\/<name>/);
    assert.match(problems({ imageCaches: { credentials: { "quay.io": secret() } } })[0], /imageCaches\.credentials/);
  });

  it("refuses a prefix ECR would refuse, regions without pull-through rules, and caches next to a full mirror", () => {
    assert.match(problems({ name: "kfp-a-very-long-cluster-name" })[0], /imageCaches\.prefix: .*makes the ECR prefix "kfp-a-very-long-cluster-name\/ecr-public" \(39 characters; ECR takes 30\)/);
    assert.deepEqual(problems({ name: "kfp-a-very-long-cluster-name", imageCaches: { prefix: "kfp-long" } }), []);
    assert.match(problems({ region: "cn-north-1", network: { availabilityZones: ["cn-north-1a", "cn-north-1b"] } })[0], /imageCaches\.enabled: .*no pull-through cache rules in cn-north-1; set imageCaches\.enabled: false/);
    assert.match(problems({}, { images: { registry: "registry.internal:5000" } })[0], /cluster\.imageCaches\.enabled: .*images\.registry \(registry\.internal:5000\) serves every image/);
    assert.match(problems({ accountId: "12345" })[0], /cluster\.accountId: .*12-digit AWS account id/);
  });
});
