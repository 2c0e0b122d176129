// `npm run diff` between two real commits that replace things: a VPC's CIDR, a GKE cluster's name and a
// named node group's instance types (deleted before its successor exists); and a base revision whose plan
// fails, whose error the comment must show instead of calling everything new.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./helpers";

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** A clone of this repository (its committed HEAD) with node_modules shared. */
function cloneRepo(): string {
  const clone = mkdtempSync(join(tmpdir(), "kfp-diff-replace-"));
  git(tmpdir(), "clone", "--quiet", REPO_ROOT, clone);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"));
  return clone;
}

function edit(clone: string, stack: string, from: string, to: string): void {
  const file = join(clone, "stacks", `Pulumi.${stack}.yaml`);
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${stack} has ${from}`);
  writeFileSync(file, text.replace(from, to));
}

const diff = (clone: string, ...stacks: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", join(clone, "engine/cli/diff.ts"), "HEAD~1", "--head", "HEAD", ...stacks], { cwd: clone, encoding: "utf8" });

describe("npm run diff names replacements", () => {
  it("reports a VPC CIDR, a GKE cluster name and a node group's instance types as replacements", { timeout: 300_000 }, () => {
    const clone = cloneRepo();
    edit(clone, "aws-prod", "vpcCidr: 10.50.0.0/16", "vpcCidr: 10.60.0.0/16");
    edit(clone, "aws-prod", "instanceTypes: [m6i.xlarge]", "instanceTypes: [m6i.2xlarge]");
    edit(clone, "gcp-prod", "    name: kfp-prod\n", "    name: kfp-prod-b\n");
    git(clone, "commit", "--quiet", "-am", "new CIDR, bigger system nodes, renamed GKE cluster");

    const r = diff(clone, "aws-prod", "gcp-prod");
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const line = (type: string, name: string) => new RegExp(`^- \\*\\*replace[^\\n]*\`[^\`]*${type.replace(/[/$]/g, "\\$&")}::${name}\`[^\\n]*`, "m");
    const vpc = line("aws:ec2/vpc:Vpc", "platform-network-vpc").exec(r.stdout)?.[0] ?? "";
    assert.match(vpc, /^- \*\*replace\*\* .*: delete and create, forced by `cidrBlock`$/, r.stdout);
    const group = line("aws:eks/nodeGroup:NodeGroup", "platform-nodes-system").exec(r.stdout)?.[0] ?? "";
    assert.match(group, /^- \*\*replace, deleting first\*\* \*\*stateful\*\* .*it keeps its name.*forced by `instanceTypes\[0\]`$/, r.stdout);
    const gke = line("gcp:container/cluster:Cluster", "platform-gke").exec(r.stdout)?.[0] ?? "";
    assert.match(gke, /^- \*\*replace\*\* \*\*stateful\*\* .*: delete and create, forced by `name`/, r.stdout);
    // Renaming the cluster changes the kubeconfig: the provider, and every object made through it, go too.
    assert.match(r.stdout, /pulumi:providers:kubernetes::platform-k8s`: delete and create, forced by `kubeconfig`\n {2}- and with it every one of the \d+ resources created through this provider/);
    git(clone, "worktree", "prune");
  });

  it("shows the base revision's plan error instead of calling everything new", { timeout: 180_000 }, () => {
    const clone = cloneRepo();
    edit(clone, "local", "kfp-platform:environment: dev", "kfp-platform:environment: dev\n  kfp-platform:confg: {}");
    git(clone, "commit", "--quiet", "-am", "break the stack file");
    edit(clone, "local", "\n  kfp-platform:confg: {}", "");
    git(clone, "commit", "--quiet", "-am", "mend it");

    const r = diff(clone, "local");
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /### Stack `local`: the plan at the base revision HEAD~1 FAILED, so there is nothing to compare with\n\n```\nstack local: invalid configuration\n.*kfp-platform:confg/);
    assert.doesNotMatch(r.stdout, /everything is (new|created)/);
    git(clone, "worktree", "prune");
  });
});
