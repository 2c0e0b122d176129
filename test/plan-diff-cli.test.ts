// `npm run diff` between two real git revisions: a clone of this repository, one commit that renames
// the prod bucket (a replacement) and resizes the database (in place), and the Markdown a reviewer sees.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "./helpers";

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

it("marks a replaced bucket and an in-place database change between two commits", { timeout: 180_000 }, () => {
  const clone = mkdtempSync(join(tmpdir(), "kfp-diff-clone-"));
  git(tmpdir(), "clone", "--quiet", REPO_ROOT, clone);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"));
  const stack = join(clone, "stacks", "Pulumi.aws-prod.yaml");
  const text = readFileSync(stack, "utf8");
  writeFileSync(stack, text.replace("bucket: acme-kfp-prod-artifacts", "bucket: acme-kfp-prod-artifacts-v2").replace("instanceClass: db.m7g.large", "instanceClass: db.m7g.xlarge"));
  git(clone, "commit", "--quiet", "-am", "rename the bucket, grow the database");

  const r = spawnSync(process.execPath, ["--import", "tsx", join(clone, "engine/cli/diff.ts"), "HEAD~1", "--head", "HEAD", "aws-prod"], { cwd: clone, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^## Offline plan diff: HEAD~1 → HEAD/);
  assert.match(r.stdout, /stateful resource\(s\) change or go/);
  assert.match(r.stdout, /- \*\*replace\*\* \*\*stateful\*\* \*\*`kfp-platform:cloud:AwsFoundation\$kfp-platform:aws:ArtifactBucket\$aws:s3\/bucket:Bucket::platform-artifacts-bucket`\*\*: delete and create, forced by `bucket`/);
  assert.match(r.stdout, /- \*\*update\*\* \*\*stateful\*\* \*\*`[^`]*aws:rds\/instance:Instance::platform-rds-instance`\*\*\n {2}- `instanceClass`: "db\.m7g\.large" → "db\.m7g\.xlarge"/);
  git(clone, "worktree", "prune");
});
