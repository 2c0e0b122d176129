// Every Google Cloud call in modules/facts/gcp-calls.ts judged against a planned GCP stack's IAM: the allow
// bindings the plan makes (project, bucket, repository and service-account level), each role expanded to
// its permissions (modules/facts/gcp-roles.ts), and the path from a pod to its Google identity (the
// Kubernetes service account's iam.gke.io/gcp-service-account annotation and the Google account's
// roles/iam.workloadIdentityUser binding for that exact member; the HMAC key's account; the nodes'
// account). Google's allow policies are a union of bindings; the kit sets no deny policies and no
// conditions, and a binding with a condition or an IAM resource type this file does not read is refused
// rather than judged. Shared by test/gcp-permissions.test.ts and test/backup-roundtrip.test.ts.
import type { PlanResult } from "../engine/plan";
import { GCP_BUCKET_ADMIN_PERMISSIONS, GCP_READ_ONLY_ACCOUNTS, GCP_WORKLOADS, type GcpCall, type GcpIdentity, type GcpScope, type GcpWorkload } from "../modules/facts/gcp-calls";
import { GCP_ROLE_PERMISSIONS } from "../modules/facts/gcp-roles";
import { findObject, ofType } from "./helpers";

/** One allow binding: who, which role, and where it is granted. */
export interface Binding {
  readonly member: string;
  readonly role: string;
  /** "project", "bucket:<name>", "repository:<id>" or "serviceAccount:<email>". */
  readonly scope: string;
  readonly from: string;
}

export interface GcpStackFacts {
  readonly stack: string;
  readonly project: string;
  readonly bucket: string;
  readonly bindings: readonly Binding[];
  /** Kubernetes service account name -> namespace and annotated Google account. */
  readonly serviceAccounts: ReadonlyMap<string, { namespace: string; email?: string }>;
  readonly hmacEmail?: string;
  readonly nodeEmails: readonly string[];
  readonly cacheRepositories: readonly string[];
  readonly hasCloudSql: boolean;
}

const IAM_READERS: Record<string, (inputs: any) => string> = {
  "gcp:projects/iAMMember:IAMMember": () => "project",
  "gcp:storage/bucketIAMMember:BucketIAMMember": (i) => `bucket:${i.bucket}`,
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (i) => `repository:${i.repository}`,
  "gcp:serviceaccount/iAMMember:IAMMember": (i) => `serviceAccount:${String(i.serviceAccountId).split("/").pop()}`,
};

/** The facts of a GCP stack's plan; throws on IAM it cannot judge. */
export function gcpStackFacts(stack: string, plan: PlanResult): GcpStackFacts {
  const bindings: Binding[] = [];
  for (const r of plan.resources) {
    const read = IAM_READERS[r.type];
    if (!read) {
      if (/IAM|Iam/.test(r.type)) throw new Error(`${stack}: ${r.type} ${r.name} is an IAM resource gcp-permissions.ts does not read: teach it, or the proof is blind to it`);
      continue;
    }
    if (r.inputs.condition) throw new Error(`${stack}: ${r.name} has an IAM condition; the proof does not evaluate conditions`);
    bindings.push({ member: String(r.inputs.member), role: String(r.inputs.role), scope: read(r.inputs), from: r.name });
  }
  // KFP's own accounts, in the platform namespace (team namespaces reuse some names, without identities).
  const platform = findObject(plan, "ConfigMap", "kfp-launcher")!.metadata.namespace;
  const serviceAccounts = new Map<string, { namespace: string; email?: string }>();
  for (const { object } of plan.objects) {
    if (object.kind !== "ServiceAccount" || object.metadata.namespace !== platform) continue;
    serviceAccounts.set(object.metadata.name!, { namespace: object.metadata.namespace!, email: object.metadata.annotations?.["iam.gke.io/gcp-service-account"] });
  }
  const pools = [...ofType(plan, "gcp:container/cluster:Cluster"), ...ofType(plan, "gcp:container/nodePool:NodePool")];
  return {
    stack,
    project: String(ofType(plan, "pulumi:providers:gcp")[0].inputs.project),
    bucket: (plan.outputs.objectStore as { bucket: string }).bucket,
    bindings,
    serviceAccounts,
    hmacEmail: ofType(plan, "gcp:storage/hmacKey:HmacKey")[0]?.inputs.serviceAccountEmail as string | undefined,
    nodeEmails: [...new Set(pools.map((p) => String((p.inputs.nodeConfig as any)?.serviceAccount)))],
    cacheRepositories: ofType(plan, "gcp:artifactregistry/repository:Repository").map((r) => String(r.inputs.repositoryId)),
    hasCloudSql: ofType(plan, "gcp:sql/databaseInstance:DatabaseInstance").length > 0,
  };
}

/** The permissions `member` holds at `scope`: grants on the scope itself and on the project above it. */
export function permissionsAt(facts: GcpStackFacts, member: string, scope: string): Set<string> {
  const out = new Set<string>();
  for (const b of facts.bindings) {
    if (b.member !== member || (b.scope !== scope && b.scope !== "project")) continue;
    const permissions = GCP_ROLE_PERMISSIONS[b.role];
    if (!permissions) throw new Error(`${facts.stack}: ${b.from} grants ${b.role}, whose permissions modules/facts/gcp-roles.ts does not list`);
    for (const p of permissions) out.add(p);
  }
  return out;
}

/** The Google member a workload acts as, or why it has none. */
function memberOf(facts: GcpStackFacts, identity: GcpIdentity): { members: string[] } | { missing: string } {
  if (identity.kind === "hmac") return facts.hmacEmail ? { members: [`serviceAccount:${facts.hmacEmail}`] } : { missing: "no HMAC key in the plan" };
  if (identity.kind === "nodes") return { members: facts.nodeEmails.map((e) => `serviceAccount:${e}`) };
  const ksa = facts.serviceAccounts.get(identity.serviceAccount);
  if (!ksa?.email) return { missing: `Kubernetes service account ${identity.serviceAccount} has no iam.gke.io/gcp-service-account annotation` };
  const pod = `serviceAccount:${facts.project}.svc.id.goog[${ksa.namespace}/${identity.serviceAccount}]`;
  if (!permissionsAt(facts, pod, `serviceAccount:${ksa.email}`).has("iam.serviceAccounts.getAccessToken"))
    return { missing: `${pod} may not act as ${ksa.email} (no roles/iam.workloadIdentityUser binding for that member)` };
  return { members: [`serviceAccount:${ksa.email}`] };
}

const scopesOf = (facts: GcpStackFacts, on: GcpScope): string[] =>
  on === "bucket" ? [`bucket:${facts.bucket}`] : on === "cacheRepository" ? facts.cacheRepositories.map((r) => `repository:${r}`) : ["project"];

const applies = (facts: GcpStackFacts, w: GcpWorkload) =>
  w.when === undefined || (w.when === "cloudsql" && facts.hasCloudSql) || (w.when === "readers" && facts.serviceAccounts.get(w.identity.kind === "workloadIdentity" ? w.identity.serviceAccount : "")?.email !== undefined);

/** Whether `member` may do `permissions` on the scope a request names. */
export function missingPermissions(facts: GcpStackFacts, member: string, scope: string, permissions: readonly string[]): string[] {
  const held = permissionsAt(facts, member, scope);
  return permissions.filter((p) => !held.has(p));
}

/** Every needed call that is not allowed, one line each naming the call, the missing permissions and the source. */
export function deniedGcpCalls(facts: GcpStackFacts, workloads: readonly GcpWorkload[] = GCP_WORKLOADS): string[] {
  const out: string[] = [];
  for (const w of workloads.filter((x) => applies(facts, x))) {
    const who = memberOf(facts, w.identity);
    if ("missing" in who) {
      out.push(`${facts.stack}: ${w.name}: ${who.missing}`);
      continue;
    }
    for (const member of who.members)
      for (const call of w.calls as GcpCall[])
        for (const scope of scopesOf(facts, call.on)) {
          const missing = missingPermissions(facts, member, scope, call.permissions);
          if (missing.length) out.push(`${facts.stack}: ${w.name} (${member}): ${call.call} needs ${missing.join(", ")} on ${scope}; source: ${call.source}`);
        }
  }
  return out;
}

/** Every fence that does not hold: bucket administration by anyone, writes by the read-only accounts. */
export function brokenGcpFences(facts: GcpStackFacts): string[] {
  const out: string[] = [];
  const bucket = `bucket:${facts.bucket}`;
  for (const member of new Set(facts.bindings.map((b) => b.member))) {
    const held = permissionsAt(facts, member, bucket);
    for (const p of GCP_BUCKET_ADMIN_PERMISSIONS) if (held.has(p)) out.push(`${facts.stack}: fence broken: ${member} holds ${p} on the bucket`);
  }
  for (const ksa of GCP_READ_ONLY_ACCOUNTS) {
    const email = facts.serviceAccounts.get(ksa)?.email;
    if (!email) continue;
    const held = permissionsAt(facts, `serviceAccount:${email}`, bucket);
    for (const p of ["storage.objects.create", "storage.objects.delete", "storage.objects.update"]) if (held.has(p)) out.push(`${facts.stack}: fence broken: read-only ${ksa} (${email}) holds ${p}`);
  }
  return out;
}
