// What a reviewer of a plan diff must not miss: changes to resources that hold state, and input changes
// that make the provider replace a resource (delete, then create: for a database or a bucket, its data).
// Which inputs replace which type is the generated table engine/replacements/table.json (see
// engine/replacements/table.ts for where each entry was read).
import { kubernetesFact } from "./replacements/provider-facts";
import { loadTable, pathForces } from "./replacements/table";

/** Types whose loss loses data or capacity: databases, buckets, clusters, node groups, volumes, keys. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "aws:rds/instance:Instance",
  "aws:s3/bucket:Bucket",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:kms/key:Key",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "gcp:sql/databaseInstance:DatabaseInstance",
  "gcp:storage/bucket:Bucket",
  "gcp:container/cluster:Cluster",
  "gcp:container/nodePool:NodePool",
]);

const matches = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** The table's entry for a type; a Kubernetes kind the table lacks gets the provider's rules directly. */
function entry(type: string): { replaceOn: string[]; complete: boolean } {
  const known = loadTable().types[type];
  if (known) return known;
  return type.startsWith("kubernetes:") ? { replaceOn: kubernetesFact(type).replaceOn, complete: true } : { replaceOn: [], complete: false };
}

/** The changed paths that make the provider replace the resource (empty: updated in place, as far as is known). */
export function replacingPaths(type: string, paths: readonly string[]): string[] {
  const forced = entry(type).replaceOn;
  return paths.filter((p) => forced.some((f) => pathForces(p, f)));
}

/** Whether the provider's replacement rules for the type were read (false: an "update" may still replace). */
export const replacementRulesKnown = (type: string): boolean => entry(type).complete;

/**
 * The input holding a resource's own name where the kit sets it: a replacement that keeps that name cannot
 * create the new resource beside the old one, so Pulumi deletes first (pulumi-terraform-bridge
 * nameRequiresDeleteBeforeReplace: an auto-nameable property set explicitly makes the replacement
 * delete-before-replace; the Kubernetes provider does the same for objects with metadata.name set).
 */
const PHYSICAL_NAME: Readonly<Record<string, string>> = {
  "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
  "aws:eks/cluster:Cluster": "name",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:rds/instance:Instance": "identifier",
  "aws:rds/parameterGroup:ParameterGroup": "name",
  "aws:rds/subnetGroup:SubnetGroup": "name",
  "aws:iam/role:Role": "name",
  "gcp:serviceaccount/account:Account": "accountId",
  "gcp:artifactregistry/repository:Repository": "repositoryId",
  "kubernetes:helm.sh/v3:Release": "name",
};

function physicalName(type: string): string | undefined {
  if (PHYSICAL_NAME[type]) return PHYSICAL_NAME[type];
  if (type.startsWith("kubernetes:")) return "metadata.name";
  return PHYSICAL_NAME[type] ?? (type.startsWith("gcp:") ? "name" : undefined);
}

const at = (value: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);

/** Whether replacing the resource deletes it before its successor exists (downtime): it keeps its own name. */
export function deletesBeforeCreate(type: string, inputs: unknown, changed: readonly string[]): boolean {
  const field = physicalName(type);
  if (!field || at(inputs, field) === undefined) return false;
  return !changed.some((p) => matches(p, field) || (type.startsWith("kubernetes:") && matches(p, "metadata.namespace")));
}
