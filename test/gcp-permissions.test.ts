// Every Google Cloud permission proven offline for gcp-dev and gcp-prod: each call the kit's workloads make
// (modules/facts/gcp-calls.ts, traced to its source line) is held by the identity that makes it, through
// the plan's own bindings and the predefined roles' permission lists (modules/facts/gcp-roles.ts, dated);
// the fences hold; and a weaker role for the launcher fails naming the call and its source.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { GCP_WORKLOADS } from "../modules/facts/gcp-calls";
import { brokenGcpFences, deniedGcpCalls, gcpStackFacts, type GcpStackFacts } from "./gcp-permissions";
import { REPO_ROOT } from "./helpers";

const STACKS = ["gcp-dev", "gcp-prod"];
const plans: Record<string, PlanResult> = {};
const facts: Record<string, GcpStackFacts> = {};

before(async () => {
  for (const stack of STACKS) {
    plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
    facts[stack] = gcpStackFacts(stack, plans[stack]);
  }
});

describe("cloud permissions on the GCP stacks, from the planned bindings and the roles' permission lists", () => {
  it("reads each stack's bindings, identities and repositories", () => {
    for (const stack of STACKS) {
      assert.deepEqual(plans[stack].problems, [], stack);
      const f = facts[stack];
      assert.ok(f.bindings.length >= 10, `${stack}: ${f.bindings.length} bindings`);
      assert.ok(f.hmacEmail, `${stack}: the HMAC key's account`);
      assert.equal(f.nodeEmails.length, 1, `${stack}: one node account for every pool`);
      assert.ok(f.cacheRepositories.length > 0, `${stack}: image caches`);
    }
    assert.equal(facts["gcp-prod"].hasCloudSql, true, "gcp-prod's database is Cloud SQL, so the proxy's calls are judged");
  });

  for (const stack of STACKS) {
    it(`${stack}: allows every call each workload makes`, () => {
      assert.deepEqual(deniedGcpCalls(facts[stack]), []);
    });
    it(`${stack}: keeps every fence: no bucket administration, the readers cannot write`, () => {
      assert.deepEqual(brokenGcpFences(facts[stack]), []);
    });
  }

  it("fails naming the call and its source when the launcher's account gets only objectViewer", () => {
    const f = facts["gcp-prod"];
    const weaker = { ...f, bindings: f.bindings.map((b) => (b.role === "roles/storage.objectAdmin" && /kfp-runs@/.test(b.member) ? { ...b, role: "roles/storage.objectViewer" } : b)) };
    const denied = deniedGcpCalls(weaker);
    assert.equal(denied.length, 1, denied.join("\n"));
    assert.match(denied[0], /KFP launcher .*gocloud gcsblob NewWriter \(objects\.insert\): step outputs needs storage\.objects\.create on bucket:acme-kfp-prod-artifacts; source: kubeflow\/pipelines@2\.14\.0 backend\/src\/v2\/objectstore\/object_store\.go:157/);
  });

  it("fails when a pod's Kubernetes account may not act as its Google account", () => {
    const f = facts["gcp-prod"];
    const unbound = { ...f, bindings: f.bindings.filter((b) => !(b.role === "roles/iam.workloadIdentityUser" && b.member.endsWith("/cloudsql-proxy]"))) };
    assert.match(deniedGcpCalls(unbound).join("\n"), /Cloud SQL Auth Proxy \(Workload Identity\): serviceAccount:.*\.svc\.id\.goog\[\w+\/cloudsql-proxy\] may not act as/);
  });

  it("fails when a role grants bucket administration, and when a reader can write", () => {
    const f = facts["gcp-dev"];
    const ui = f.serviceAccounts.get("ml-pipeline-ui")!.email!;
    const broken = { ...f, bindings: [...f.bindings, { member: `serviceAccount:${ui}`, role: "roles/storage.objectAdmin", scope: `bucket:${f.bucket}`, from: "mutation" }] };
    assert.match(brokenGcpFences(broken).join("\n"), /read-only ml-pipeline-ui .* holds storage\.objects\.create/);
  });

  it("has a source for every call", () => {
    for (const w of GCP_WORKLOADS) for (const c of w.calls) assert.match(c.source, /@|docs|modules\//, `${w.name}: ${c.call}`);
  });
});
