// The stack config schema: defaults, cross-field rules, and one clear line per bad input.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../modules/config";
import { parseStackConfig } from "../modules/config/parse";
import { WORKFLOW_TTL_SECONDS } from "../modules/config/kfp";
import { parseQuantity } from "../modules/config/quantities";
import { runsWithin } from "../modules/config/sizing";

const FILE = "stacks/Pulumi.test.yaml";
const base = { "kfp-platform:environment": "dev", "kfp-platform:cluster": JSON.stringify({ target: "existing" }) };

function problems(raw: Record<string, string>): string[] {
  try {
    parseStackConfig(raw, FILE);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message.split("\n");
  }
  assert.fail("config was accepted");
}

describe("stack config", () => {
  it("fills every default for a minimal stack", () => {
    const c = parseStackConfig(base, FILE);
    assert.equal(c.platformNamespace, "kubeflow");
    assert.deepEqual(c.objectStore, {
      kind: "minio",
      bucket: "mlpipeline",
      storageSize: "20Gi",
      resources: { requests: { cpu: "20m", memory: "100Mi" }, limits: { memory: "1Gi" } },
    });
    assert.equal(c.database.kind, "in-cluster");
    assert.equal(c.protectData, false);
  });

  it("lets a stack override one nested value and keeps the other defaults", () => {
    const c = parseStackConfig(
      { ...base, "kfp-platform:database": JSON.stringify({ kind: "in-cluster", resources: { limits: { memory: "4Gi" } } }) },
      FILE,
    );
    assert.equal(c.database.kind, "in-cluster");
    if (c.database.kind === "in-cluster") assert.deepEqual(c.database.resources, { requests: { cpu: "100m", memory: "800Mi" }, limits: { memory: "4Gi" } });
  });

  it("passes provider and engine namespaces through", () => {
    const c = parseStackConfig({ ...base, "pulumi:disable-default-providers": '["kubernetes"]', "aws:region": "eu-west-1" }, FILE);
    assert.equal(c.environment, "dev");
  });

  it("names file, key and a suggestion for a misspelt key", () => {
    const lines = problems({ ...base, "kfp-platform:cluster": JSON.stringify({ target: "existing", contxt: "kind-kfp" }) });
    assert.deepEqual(lines, [
      `${FILE}: kfp-platform:cluster.contxt: unknown key; allowed here: target, context, kubeconfig, storageClass, gpuPools (did you mean 'context'?). Remove or rename it.`,
    ]);
  });

  it("rejects a misspelt top-level key", () => {
    const lines = problems({ ...base, "kfp-platform:objectstore": JSON.stringify({ kind: "minio" }) });
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^stacks\/Pulumi\.test\.yaml: kfp-platform:objectstore: unknown key; .*did you mean 'objectStore'/);
  });

  it("reports a wrong type with what was found", () => {
    const lines = problems({ ...base, "kfp-platform:objectStore": JSON.stringify({ kind: "minio", bucket: 42 }) });
    assert.deepEqual(lines, [`${FILE}: kfp-platform:objectStore.bucket: found 42; expected string; YAML read an unquoted number: write it in quotes, "42".`]);
  });

  it("reports a missing required value", () => {
    const lines = problems({ "kfp-platform:cluster": JSON.stringify({ target: "existing" }) });
    assert.deepEqual(lines, [`${FILE}: kfp-platform:environment: required value is missing; allowed: \"dev\", \"staging\", \"prod\". Add it to the stack file.`]);
  });

  it("lists the allowed values of an enum and of a union tag", () => {
    assert.deepEqual(problems({ ...base, "kfp-platform:environment": "qa" }), [
      `${FILE}: kfp-platform:environment: found "qa"; allowed: "dev", "staging", "prod".`,
    ]);
    assert.deepEqual(problems({ ...base, "kfp-platform:cluster": JSON.stringify({ target: "eks" }) }), [
      `${FILE}: kfp-platform:cluster.target: found "eks"; allowed: "existing", "aws", "gcp".`,
    ]);
  });

  it("rejects malformed quantities and a limit below its request", () => {
    const lines = problems({
      ...base,
      "kfp-platform:database": JSON.stringify({
        kind: "in-cluster",
        storageSize: "20GB",
        resources: { requests: { memory: "3Gi" }, limits: { memory: "2Gi" } },
      }),
    });
    assert.deepEqual(lines, [
      `${FILE}: kfp-platform:database.storageSize: found "20GB"; expected a storage size such as "20Gi".`,
      `${FILE}: kfp-platform:database.resources.limits.memory: found "2Gi"; the memory limit must be at least the request (3Gi).`,
    ]);
  });

  it("requires backups in prod, which the in-cluster database cannot give", () => {
    const lines = problems({ ...base, "kfp-platform:environment": "prod" });
    assert.equal(lines.length, 1);
    assert.match(lines[0], /kfp-platform:database\.kind: not set, so its default applies \("in-cluster"\); prod needs database backups/);
  });

  it("rejects an unknown config namespace with a suggestion", () => {
    const lines = problems({ ...base, "kfp-platfrom:environment": "dev" });
    assert.match(lines[0], /kfp-platfrom:environment: unknown config namespace 'kfp-platfrom'.*did you mean 'kfp-platform'/);
  });

  it("reports every problem at once, not just the first", () => {
    const lines = problems({ "kfp-platform:environment": "qa", "kfp-platform:cluster": JSON.stringify({ target: "existing", x: 1 }) });
    assert.equal(lines.length, 2);
  });

  it("checks KFP and image settings: digests by known image name, a valid registry, Argo TTL vs the persistence agent", () => {
    const lines = problems({
      ...base,
      "kfp-platform:images": JSON.stringify({ registry: "https://mirror", digests: { kfpApiServr: "sha256:x" } }),
      "kfp-platform:kfp": JSON.stringify({ argo: { secondsAfterCompletion: 600 } }),
    });
    assert.equal(lines.length, 3, lines.join("\n"));
    assert.match(lines.find((l) => l.includes("registry"))!, /kfp-platform:images\.registry: found "https:\/\/mirror"; expected a registry host/);
    assert.match(lines.find((l) => l.includes("digests"))!, /kfp-platform:images\.digests\.kfpApiServr: unknown key; allowed here: mysql, .*\(did you mean .kfpApiServer.\?\)/);
    assert.match(
      lines.find((l) => l.includes("secondsAfterCompletion"))!,
      new RegExp(String.raw`kfp-platform:kfp\.argo\.secondsAfterCompletion: found 600; must be at least persistenceAgent\.ttlSecondsAfterWorkflowFinish \+ 7 days \(${WORKFLOW_TTL_SECONDS + 7 * 86400}\)`),
    );
  });

  it("defaults every KFP component's resources and Argo's scale knobs", () => {
    const c = parseStackConfig(base, FILE);
    assert.deepEqual(c.kfp.resources.apiServer, { requests: { cpu: "250m", memory: "500Mi" }, limits: { memory: "1Gi" } });
    assert.equal(c.kfp.profile, "small", "a dev stack gets the small profile");
    // The small profile's cap is what its controllers' memory limits hold (config/sizing.ts), not a round number.
    const held = (["scheduledWorkflow", "persistenceAgent", "workflowController"] as const).map((k) =>
      runsWithin(k, parseQuantity(c.kfp.resources[k].limits.memory)!, c.kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish),
    );
    assert.equal(c.kfp.argo.parallelism, Math.floor(Math.min(...held) / 10) * 10);
    assert.ok(c.kfp.argo.parallelism > 0 && c.kfp.argo.parallelism < 500);
    assert.equal(c.kfp.argo.podGC.strategy, "OnPodSuccess");
    assert.equal(c.kfp.argo.nodeStatusOffload, false);
    assert.equal(c.kfp.argo.archive, false);
    assert.equal(c.kfp.argo.secondsAfterCompletion, undefined, "no Argo TTL: KFP deletes recorded Workflows itself");
    assert.deepEqual(c.kfp.stepDefaults, { requests: { cpu: "100m", memory: "256Mi" } });
    assert.equal(c.platformPodSecurity, "baseline");
    assert.deepEqual(c.images, { digests: {}, prepull: { enabled: true, cpu: [], gpu: [] } });
  });

  it("refuses the restricted Pod Security level with the reason", () => {
    const [line] = problems({ ...base, "kfp-platform:platformPodSecurity": "restricted" });
    assert.match(line, /^stacks\/Pulumi\.test\.yaml: kfp-platform:platformPodSecurity: found "restricted"; the platform namespace runs the pipelines of single-user KFP, and KFP 2\.14\.0.s step pods cannot meet restricted/);
    assert.match(problems({ ...base, "kfp-platform:platformPodSecurity": "open" })[0], /allowed: "baseline", "privileged", "restricted"/);
  });

  it("refuses a platform namespace of the cluster's own, or one the kit creates for something else", () => {
    const line = (ns: string, extra: Record<string, string> = {}) => problems({ ...base, "kfp-platform:platformNamespace": ns, ...extra });
    for (const ns of ["kube-system", "default", "kube-public", "kube-node-lease"]) {
      assert.deepEqual(line(ns), [
        `${FILE}: kfp-platform:platformNamespace: found "${ns}"; is a namespace of the cluster itself (default, kube-system, kube-public, kube-node-lease): the kit would take it over, relabel its Pod Security and delete it with the stack; keep kubeflow (the default).`,
      ]);
    }
    assert.match(line("monitoring")[0], /^stacks\/Pulumi\.test\.yaml: kfp-platform:platformNamespace: found "monitoring"; is also monitoring\.namespace: the monitoring stack and the platform would each create Namespace monitoring; keep kubeflow \(the default\), or move monitoring\.namespace\.$/);
    assert.match(line("obs", { "kfp-platform:monitoring": JSON.stringify({ namespace: "obs" }) })[0], /found "obs"; is also monitoring\.namespace/);
    assert.match(line("gpu-operator")[0], /found "gpu-operator"; is the namespace the kit creates for its GPU daemons or the GPU Operator/);
    // Without monitoring there is no second Namespace monitoring; another name is fine.
    assert.doesNotThrow(() => parseStackConfig({ ...base, "kfp-platform:platformNamespace": "monitoring", "kfp-platform:monitoring": JSON.stringify({ enabled: false }) }, FILE));
    assert.doesNotThrow(() => parseStackConfig({ ...base, "kfp-platform:platformNamespace": "kfp" }, FILE));
  });

  it("refuses a step default memory limit below the default request", () => {
    const [line] = problems({ ...base, "kfp-platform:kfp": JSON.stringify({ stepDefaults: { requests: { memory: "1Gi" }, memoryLimit: "512Mi" } }) });
    assert.match(line, /kfp-platform:kfp\.stepDefaults\.memoryLimit: found "512Mi"; must be at least requests\.memory \(1Gi\)/);
  });

  it("no longer accepts Argo mainContainer defaults, and names the key", () => {
    const [line] = problems({ ...base, "kfp-platform:kfp": JSON.stringify({ argo: { mainContainer: { limits: { memory: "2Gi" } } } }) });
    assert.match(line, /kfp-platform:kfp\.argo\.mainContainer: unknown key/);
  });
});
