// How long a first `pulumi up` of a plan takes, estimated offline: the longest chain of resources that
// must wait for one another (dependsOn, inputs from other resources' outputs, the provider they use),
// each weighted by how long its creation takes. Pulumi creates everything else in parallel, so this
// chain, not the resource count, is the time to a working platform (a DR rebuild's RTO floor).
import type { RecordedResource } from "./harness";

/** Typical and worst-case creation time in minutes, and where the figure comes from. */
export interface CreateTime {
  readonly typical: number;
  readonly max: number;
  readonly source: string;
}

const SECONDS: CreateTime = { typical: 0.1, max: 2, source: "API call; IAM is eventually consistent (the AWS provider retries up to 2 min)" };
const KUBERNETES_OBJECT: CreateTime = { typical: 0.05, max: 0.5, source: "Kubernetes API call" };

/**
 * Creation times by type. Sources: AWS CreateCluster API reference ("typically 10 to 15 minutes");
 * terraform-provider-aws default timeouts (which @pulumi/aws inherits) for the worst cases; NAT gateway
 * Pending -> Available "up to 10 minutes" (kops#944); RDS: single-AZ 5-10 min, Multi-AZ 15-36 min
 * (terraform#498, terraform-provider-aws#43322). Without a published figure the number is ours, marked "kit estimate".
 */
const CREATE_TIMES: Readonly<Record<string, CreateTime | ((r: RecordedResource) => CreateTime)>> = {
  "aws:eks/cluster:Cluster": { typical: 12, max: 30, source: "EKS CreateCluster: typically 10-15 min" },
  "aws:eks/nodeGroup:NodeGroup": { typical: 4, max: 60, source: "managed node group CREATING -> ACTIVE, 2-5 min" },
  "aws:eks/addon:Addon": { typical: 1, max: 20, source: "kit estimate" },
  "gcp:container/cluster:Cluster": { typical: 8, max: 40, source: "kit estimate: a regional GKE Standard cluster (the provider's create timeout is 40 min)" },
  "gcp:sql/databaseInstance:DatabaseInstance": (r) => ({
    typical: (r.inputs.settings as any)?.availabilityType === "REGIONAL" ? 15 : 10,
    max: 60,
    source: "kit estimate: Cloud SQL creation, longer for a regional instance",
  }),
  "gcp:container/nodePool:NodePool": { typical: 4, max: 30, source: "kit estimate: a node pool in three zones (the provider's create timeout is 30 min)" },
  "aws:ec2/natGateway:NatGateway": { typical: 3, max: 10, source: "NAT gateway Pending -> Available, up to 10 min" },
  "aws:rds/instance:Instance": (r) => {
    const restore = r.inputs.restoreToPointInTime !== undefined || r.inputs.snapshotIdentifier !== undefined;
    const base = r.inputs.multiAz === true ? { typical: 20, max: 40 } : { typical: 8, max: 40 };
    return restore
      ? { typical: base.typical + 10, max: 80, source: "RDS restore: newest snapshot plus transaction log replay; no fixed figure (kit estimate)" }
      : { ...base, source: r.inputs.multiAz === true ? "RDS Multi-AZ create, 15-36 min" : "RDS single-AZ create, 5-10 min" };
  },
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": { typical: 10, max: 75, source: "kit estimate; provider timeout 75 min" },
  "kubernetes:apps/v1:Deployment": { typical: 1, max: 10, source: "kit estimate: image pull and readiness; Pulumi's await gives up at 10 min" },
  "kubernetes:apps/v1:StatefulSet": { typical: 2, max: 10, source: "kit estimate: volume binding, image pull and readiness" },
  "kubernetes:batch/v1:Job": { typical: 1, max: 10, source: "kit estimate: a database bootstrap or restore of a small database" },
  "kubernetes:helm.sh/v3:Release": { typical: 5, max: 15, source: "kit estimate: chart install and its pods ready" },
};

export function createTime(resource: RecordedResource): CreateTime {
  if (!resource.custom || resource.type.startsWith("pulumi:providers:")) return { typical: 0, max: 0, source: "no cloud call" };
  const entry = CREATE_TIMES[resource.type];
  if (!entry) return resource.type.startsWith("kubernetes:") ? KUBERNETES_OBJECT : SECONDS;
  return typeof entry === "function" ? entry(resource) : entry;
}

export interface DeployEstimate {
  /** Minutes along the critical path, typical and worst case. */
  readonly typical: number;
  readonly max: number;
  /** The critical path, first to last. */
  readonly path: readonly RecordedResource[];
}

/**
 * What each resource waits for before Pulumi creates it: its dependsOn, the resources whose outputs it
 * takes, its provider; a component stands for every custom resource under it.
 */
export function waitGraph(resources: readonly RecordedResource[]): (r: RecordedResource) => RecordedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, RecordedResource[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const customsUnder = (urn: string): RecordedResource[] => {
    const r = byUrn.get(urn);
    if (!r) return [];
    if (r.custom) return [r];
    return (children.get(urn) ?? []).flatMap((c) => customsUnder(c.urn));
  };
  return (r) => {
    const urns = new Set([...r.dependsOn, ...Object.values(r.propertyDependencies).flat(), ...(r.provider ? [r.provider] : [])]);
    // A provider reference may carry the provider's id after its URN (`<urn>::<id>`).
    return [...urns].flatMap((u) => customsUnder(byUrn.has(u) ? u : u.replace(/::[^:]*$/, "")));
  };
}

/** Whether `later` waits, directly or through others, for `earlier`. */
export function waitsTransitively(resources: readonly RecordedResource[], later: RecordedResource, earlier: RecordedResource): boolean {
  const waitsFor = waitGraph(resources);
  const seen = new Set<string>();
  const stack = [later];
  while (stack.length) {
    for (const dep of waitsFor(stack.pop()!)) {
      if (dep.urn === earlier.urn) return true;
      if (!seen.has(dep.urn)) {
        seen.add(dep.urn);
        stack.push(dep);
      }
    }
  }
  return false;
}

/** The longest chain of waits in the plan, by typical creation time. */
export function estimateDeployTime(resources: readonly RecordedResource[]): DeployEstimate {
  const waitsFor = waitGraph(resources);
  const finish = new Map<string, { typical: number; max: number; previous?: RecordedResource }>();
  const visiting = new Set<string>();
  const finishOf = (r: RecordedResource): { typical: number; max: number; previous?: RecordedResource } => {
    const known = finish.get(r.urn);
    if (known) return known;
    if (visiting.has(r.urn)) throw new Error(`dependency cycle through ${r.urn}`);
    visiting.add(r.urn);
    let start = { typical: 0, max: 0 } as { typical: number; max: number; previous?: RecordedResource };
    for (const dep of waitsFor(r)) {
      const f = finishOf(dep);
      if (f.typical > start.typical) start = { typical: f.typical, max: f.max, previous: dep };
    }
    visiting.delete(r.urn);
    const own = createTime(r);
    const result = { typical: start.typical + own.typical, max: start.max + own.max, previous: start.previous };
    finish.set(r.urn, result);
    return result;
  };
  let last: RecordedResource | undefined;
  for (const r of resources) {
    if (!r.custom) continue;
    if (!last || finishOf(r).typical > finishOf(last).typical) last = r;
  }
  if (!last) return { typical: 0, max: 0, path: [] };
  const path: RecordedResource[] = [];
  for (let at: RecordedResource | undefined = last; at; at = finish.get(at.urn)?.previous) path.unshift(at);
  const end = finishOf(last);
  return { typical: end.typical, max: end.max, path };
}

/** The summary lines: total, and the steps of the path that take a minute or more. */
export function deployTimeLines(resources: readonly RecordedResource[]): string[] {
  const estimate = estimateDeployTime(resources);
  if (estimate.path.length === 0) return [];
  const slow = estimate.path.filter((r) => createTime(r).typical >= 1).map((r) => `${r.name} ~${Math.round(createTime(r).typical)}m`);
  return [
    `  deploy time: ~${Math.round(estimate.typical)} min from empty (up to ${Math.round(estimate.max)} min at the providers' timeouts): the longest chain of waits, engine/deploy-time.ts`,
    `    critical path: ${slow.join(" -> ")}`,
  ];
}
