// Plan diffs for pull requests: what is created, deleted, and which input paths change.
import assert from "node:assert/strict";
import { it } from "node:test";
import { diffPlans, formatDiff } from "../engine/plan-diff";

const r = (name: string, inputs: unknown, protect = false) => ({ urn: `urn:pulumi:s::p::kubernetes:apps/v1:Deployment::${name}`, type: "kubernetes:apps/v1:Deployment", name, protect, inputs });

it("reports added, removed and changed resources with the changed input paths", () => {
  const before = [r("api", { spec: { replicas: 1, containers: [{ image: "a:1" }] } }), r("db", { size: "20Gi" }, true)];
  const after = [r("api", { spec: { replicas: 1, containers: [{ image: "a:2" }] } }), r("ui", {})];
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.added.map((x) => x.name), ["ui"]);
  assert.deepEqual(diff.removed.map((x) => x.name), ["db"]);
  assert.deepEqual(diff.changed, [
    { urn: before[0].urn, type: "kubernetes:apps/v1:Deployment", paths: [{ path: "spec.containers[0].image", before: "a:1", after: "a:2" }] },
  ]);
  const text = formatDiff("local", diff);
  assert.match(text, /^### Stack `local`: \+1 ~1 -1/);
  assert.match(text, /\*\*delete\*\* `kubernetes:apps\/v1:Deployment::db` \(protected: the update will fail\)/);
  assert.match(text, /`spec\.containers\[0\]\.image`: "a:1" → "a:2"/);
});

it("says so when nothing changed", () => {
  const plan = [r("api", { a: 1 })];
  assert.match(formatDiff("local", diffPlans(plan, plan)), /No changes\./);
});
