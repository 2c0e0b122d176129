// `npm run plan` as a user runs it: exit codes, one clear line per bad input, no stack traces, and
// nothing stale left in out/<stack>/ after a failure.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runPlanCli, stackYaml, tempRoot } from "./helpers";
import { SMALL_PROFILE_PARALLELISM } from "../modules/config/kfp";

/** Plans `stack` in a root holding `files`, after planting a stale out/<stack>/ to prove it is removed. */
function planBad(files: Record<string, string>, stack: string) {
  const root = tempRoot(files);
  const stale = join(root, "out", stack);
  mkdirSync(stale, { recursive: true });
  writeFileSync(join(stale, "resources.json"), "[]");
  const result = runPlanCli(["--root", root, stack]);
  return { ...result, output: result.stdout + result.stderr, staleLeft: existsSync(stale) };
}

function assertCleanFailure(r: ReturnType<typeof planBad>, line: RegExp) {
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, line);
  assert.doesNotMatch(r.output, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
  assert.equal(r.staleLeft, false, "out/<stack>/ removed");
}

describe("plan CLI", () => {
  it("plans a valid stack, exits 0 and writes both files", () => {
    const root = tempRoot({ ok: stackYaml() });
    const r = runPlanCli(["--root", root, "ok"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /stack ok: \d+ resources, \d+ Kubernetes objects/);
    assert.match(r.stdout, /kubernetes:apps\/v1:Deployment/);
    assert.match(r.stdout, new RegExp(`\\n  runs: at most ${SMALL_PROFILE_PARALLELISM} running at once, no cap per namespace \\(Argo parallelism; more wait Pending\\)\\n`));
    assert.match(r.stdout, /\n  control plane \(sizes from docs\/scaling\.md\):\n    ml-pipeline: 1 x 250m CPU \/ 500Mi \(limit 1Gi\)\n/);
    const resources = JSON.parse(readFileSync(join(root, "out/ok/resources.json"), "utf8"));
    assert.ok(resources.length > 10);
    assert.match(readFileSync(join(root, "out/ok/manifests.yaml"), "utf8"), /^---\napiVersion: v1\nkind: Namespace/);
  });

  it("rejects a misspelt key with one line naming file and key", () => {
    const r = planBad({ typo: stackYaml("  kfp-platform:objectStore:\n    kind: minio\n    buckt: x\n") }, "typo");
    assertCleanFailure(r, /stacks\/Pulumi\.typo\.yaml: kfp-platform:objectStore\.buckt: unknown key; .*did you mean 'bucket'/);
  });

  it("rejects a wrong type", () => {
    const r = planBad({ wrong: stackYaml("  kfp-platform:protectData: maybe\n") }, "wrong");
    assertCleanFailure(r, /stacks\/Pulumi\.wrong\.yaml: kfp-platform:protectData: found "maybe"; expected boolean\./);
  });

  it("rejects a missing required value", () => {
    const r = planBad({ missing: "config:\n  kfp-platform:environment: dev\n" }, "missing");
    assertCleanFailure(r, /stacks\/Pulumi\.missing\.yaml: kfp-platform:cluster: required value is missing/);
  });

  it("rejects an unknown stack name and lists the known ones", () => {
    const r = planBad({ local: stackYaml() }, "nope");
    assertCleanFailure(r, /stacks\/Pulumi\.nope\.yaml: no such stack file; unknown stack 'nope'\. Known stacks: local\./);
  });

  it("rejects malformed YAML with the line", () => {
    const r = planBad({ broken: "config:\n  kfp-platform:environment: dev\n  kfp-platform:cluster: [unclosed\n" }, "broken");
    assertCleanFailure(r, /stacks\/Pulumi\.broken\.yaml: malformed YAML at line \d+, column \d+/);
  });

  it("judges a stack with the policy config named on the command line", () => {
    const r = runPlanCli(["--policy-config", "prod", "local"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /policies: kfp-platform@\S+ with policies\/config\/prod\.json: 0 mandatory/);
  });

  it("exits 2 on bad usage", () => {
    const r = runPlanCli(["--frobnicate"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option --frobnicate/);
  });
});
