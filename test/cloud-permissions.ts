// Every AWS call in modules/facts/cloud-calls.ts evaluated against a planned stack's policies with a real
// IAM policy evaluator (@cloud-copilot/iam-simulate): the identity's policies (inline RolePolicies from
// the plan, AWS managed policies the plan attaches where stored below), the bucket's policy and the KMS
// key's policy together. Shared by test/cloud-permissions.test.ts and test/backup-iam.test.ts.
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource } from "../engine/harness";
import type { PlanResult } from "../engine/plan";
import { AWS_FENCES, AWS_WORKLOADS, BUCKET_ADMIN_ACTIONS, type CallResource, type CloudCall, type Workload } from "../modules/facts/cloud-calls";
import { BUCKET_PREFIXES } from "../modules/foundation/names";
import { BACKUP_NAME, RESTORE_NAME } from "../modules/backup";
import { findObject, ofType } from "./helpers";

type PolicyDocument = { Version: string; Statement: any[] };

/**
 * AWS managed policies the plan attaches, as the IAM API returns their default versions (dated, with their
 * source, in test/fixtures/aws-managed-policies.json). A managed policy missing there is not evaluated,
 * so a workload relying on it fails its calls rather than passing unjudged.
 */
const MANAGED_POLICIES: Record<string, PolicyDocument> = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(__dirname, "fixtures/aws-managed-policies.json"), "utf8")).policies as Record<string, { document: PolicyDocument }>).map(([name, p]) => [name, p.document]),
);

/** A KMS key created without a policy gets AWS's default key policy: the account may use it through IAM (AWS KMS developer guide, "Default key policy"). */
const defaultKeyPolicy = (account: string): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
});

/** What a stack's plan says about its object store and identities, resolved once. */
export interface AwsStackFacts {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly clusterName: string;
  readonly bucket: string;
  readonly bucketPolicy?: PolicyDocument;
  readonly bucketKeyArn: string;
  readonly bucketKeyPolicy: PolicyDocument;
  readonly prefixes: Record<"pipelineRoot" | "argoLogs" | "pipelinePackages" | "backups" | "restoreSource", string>;
  readonly teams: readonly string[];
  readonly cachePrefix?: string;
  /** Role ARN -> its identity policies, by how workloads name them. */
  readonly roles: Map<string, { arn: string; policies: { name: string; policy: PolicyDocument }[] }>;
  readonly hasReplication: boolean;
}

const json = (text: unknown) => JSON.parse(String(text));

/**
 * The facts of `plan`. `bucketOwner` is the plan that made the bucket (the primary's, for a DR stack that
 * adopts the replica), from which its bucket policy and key policy are read.
 */
export function awsStackFacts(stack: string, plan: PlanResult, bucketOwner: PlanResult = plan, adopted?: { kmsKeyArn: string }): AwsStackFacts {
  const cluster = ofType(plan, "aws:eks/cluster:Cluster")[0];
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name.endsWith("-aws") && !r.name.includes("-dr-"))!;
  const region = String(provider.inputs.region);
  const account = String(cluster.outputs.arn).split(":")[4];
  const bucket = (plan.outputs.objectStore as { bucket: string }).bucket;
  const launcher = (findObject(plan, "ConfigMap", "kfp-launcher") as any).data.defaultPipelineRoot as string;
  const pipelineRoot = new URL(launcher).pathname.replace(/^\//, "");
  const envOf = (containers: any[], name: string) => containers.flatMap((c) => c.env ?? []).find((e: any) => e.name === name)?.value;
  const cron = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec;
  const restore = (findObject(plan, "Job", RESTORE_NAME) as any)?.spec.template.spec;
  const backups = envOf(cron.containers, "PREFIX");
  // Settings name their bucket by id, which is its name.
  const bucketPolicy = ofType(bucketOwner, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === bucket);
  const sse = ofType(bucketOwner, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((e) => e.inputs.bucket === bucket);
  const ownerKeyArn = String((sse?.inputs.rules as any)?.[0].applyServerSideEncryptionByDefault.kmsMasterKeyId);
  const key = [...ofType(bucketOwner, "aws:kms/key:Key")].find((k) => k.outputs.arn === ownerKeyArn);
  // An adopted bucket's key is the one its stack file names (the owner's output, in the real world; a
  // mock ARN in the owner's plan), with the owner's key policy.
  const bucketKeyArn = adopted?.kmsKeyArn ?? ownerKeyArn;
  const rules = ofType(plan, "aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
  return {
    stack,
    account,
    region,
    clusterName: String(cluster.inputs.name),
    bucket,
    bucketPolicy: bucketPolicy ? json(bucketPolicy.inputs.policy) : undefined,
    bucketKeyArn,
    bucketKeyPolicy: key?.inputs.policy ? json(key.inputs.policy) : defaultKeyPolicy(account),
    prefixes: {
      pipelineRoot,
      argoLogs: BUCKET_PREFIXES.argoLogs,
      pipelinePackages: BUCKET_PREFIXES.pipelinePackages,
      backups,
      restoreSource: restore ? envOf(restore.initContainers, "PREFIX") : backups,
    },
    teams: plan.objects.map((o) => o.object).filter((o) => o.kind === "Namespace" && o.metadata.labels?.["kfp-platform/team"]).map((o) => o.metadata.name!),
    cachePrefix: rules[0] ? String(rules[0].inputs.ecrRepositoryPrefix) : undefined,
    roles: rolesOf(plan),
    hasReplication: ofType(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length > 0,
  };
}

/** Every IAM role of the plan keyed by who assumes it ("irsa:<ns>:<sa>" or "service:<principal>"), with its policies. */
function rolesOf(plan: PlanResult): AwsStackFacts["roles"] {
  const roles: AwsStackFacts["roles"] = new Map();
  // A policy names its role by id or name: both are the role's name, the last part of its ARN.
  const attachedTo = (r: RecordedResource, role: RecordedResource) => String(role.outputs.arn).split("/").pop() === r.inputs.role;
  for (const role of ofType(plan, "aws:iam/role:Role")) {
    const trust = json(role.inputs.assumeRolePolicy).Statement[0];
    const sub = trust.Principal.Federated ? Object.entries(trust.Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1] as string : undefined;
    const key = sub ? `irsa:${sub.replace("system:serviceaccount:", "")}` : `service:${trust.Principal.Service}`;
    const policies = [
      ...ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => attachedTo(p, role)).map((p) => ({ name: p.name, policy: json(p.inputs.policy) })),
      ...ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => attachedTo(a, role))
        .map((a) => String(a.inputs.policyArn).split("/").pop()!)
        .filter((name) => MANAGED_POLICIES[name])
        .map((name) => ({ name, policy: MANAGED_POLICIES[name] })),
    ];
    roles.set(key, { arn: String(role.outputs.arn), policies });
  }
  return roles;
}

/** The role a workload runs as on this stack (one per team for team identities). */
function identities(facts: AwsStackFacts, workload: Workload): { label: string; team?: string; role?: { arn: string; policies: { name: string; policy: PolicyDocument }[] } }[] {
  const id = workload.identity;
  if (id.kind === "service") return [{ label: id.service, role: facts.roles.get(`service:${id.service}`) }];
  if (id.namespace === "team") return facts.teams.map((team) => ({ label: `${team}:${id.serviceAccount}`, team, role: facts.roles.get(`irsa:${team}:${id.serviceAccount}`) }));
  const ns = id.namespace === "platform" ? "kubeflow" : id.namespace;
  return [{ label: `${ns}:${id.serviceAccount}`, role: facts.roles.get(`irsa:${ns}:${id.serviceAccount}`) }];
}

function prefixOf(facts: AwsStackFacts, prefix: string, team?: string): string {
  if (prefix === "teamRoot") return `${facts.prefixes.pipelineRoot}/${team}`;
  return facts.prefixes[prefix as keyof AwsStackFacts["prefixes"]];
}

function resourceArn(facts: AwsStackFacts, resource: CallResource, team?: string): string {
  switch (resource.kind) {
    case "bucket":
      return `arn:aws:s3:::${facts.bucket}`;
    case "object":
      return `arn:aws:s3:::${facts.bucket}/${prefixOf(facts, resource.prefix, team)}/20261129T020000Z/probe`;
    case "bucketKey":
      return facts.bucketKeyArn;
    case "cacheRepository":
      return `arn:aws:ecr:${facts.region}:${facts.account}:repository/${facts.cachePrefix}/library/python`;
    case "taggedAutoScalingGroup":
      return `arn:aws:autoscaling:${facts.region}:${facts.account}:autoScalingGroup:0b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3:autoScalingGroupName/eks-probe`;
    case "ec2":
      return `arn:aws:ec2:${facts.region}:${facts.account}:${resource.type}/${{ volume: "vol", snapshot: "snap", instance: "i", "network-interface": "eni" }[resource.type]}-0a1b2c3d4e5f60718`;
    case "any":
      return "*";
  }
}

/** One request through the evaluator: the identity's policies, and the bucket's or the key's policy where the resource has one. */
export async function evaluate(
  facts: AwsStackFacts,
  role: { arn: string; policies: { name: string; policy: PolicyDocument }[] },
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<string> {
  const resourcePolicy = resource.startsWith("arn:aws:s3:::") ? facts.bucketPolicy : resource === facts.bucketKeyArn ? facts.bucketKeyPolicy : undefined;
  const result = await runSimulation(
    {
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        principal: role.arn,
        action,
        resource: { resource, accountId: facts.account },
        contextVariables: { "aws:SecureTransport": "true", ...context },
      },
    } as any,
    {},
  );
  if (result.resultType === "error") return `error: ${JSON.stringify(result.errors)}`;
  return result.overallResult;
}

const applies = (facts: AwsStackFacts, w: Workload) =>
  w.when === undefined || (w.when === "teams" && facts.teams.length > 0) || (w.when === "disasterRecovery" && facts.hasReplication) || (w.when === "restore" && facts.roles.has("irsa:kubeflow:kfp-db-restore"));

/** The context a call carries, resolved: a listing's s3:prefix, the tags of an Auto Scaling group of this cluster. */
function contextOf(facts: AwsStackFacts, call: CloudCall, team?: string): Record<string, string> {
  if (call.resource.kind === "taggedAutoScalingGroup") {
    // The tags the kit puts on every node group's Auto Scaling group (node-groups.ts).
    return { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true", [`aws:ResourceTag/k8s.io/cluster-autoscaler/${facts.clusterName}`]: "owned" };
  }
  return { ...(call.listPrefix ? { "s3:prefix": `${prefixOf(facts, call.listPrefix, team)}/` } : {}), ...call.context };
}

/** Every needed call that is not Allowed, one line each naming the call and its source. */
export async function deniedCalls(facts: AwsStackFacts): Promise<string[]> {
  const out: string[] = [];
  for (const w of AWS_WORKLOADS.filter((w) => applies(facts, w))) {
    for (const { label, team, role } of identities(facts, w)) {
      if (!role) {
        out.push(`${facts.stack}: ${w.name}: no IAM role for ${label} in the plan`);
        continue;
      }
      for (const call of w.calls) {
        const resource = resourceArn(facts, call.resource, team);
        const result = await evaluate(facts, role, call.action, resource, contextOf(facts, call, team));
        if (result !== "Allowed") out.push(`${facts.stack}: ${w.name} (${label}): ${call.call} needs ${call.action} on ${resource}: ${result}; source: ${call.source}`);
      }
    }
  }
  return out;
}

/** Every fence that does not hold, one line each. */
export async function brokenFences(facts: AwsStackFacts): Promise<string[]> {
  const out: string[] = [];
  for (const fence of AWS_FENCES) {
    const w = AWS_WORKLOADS.find((x) => x.name === fence.workload)!;
    if (!applies(facts, w)) continue;
    for (const { label, team, role } of identities(facts, w)) {
      if (!role) continue;
      const other = facts.teams.find((t) => t !== team);
      if ((fence.resource === "otherTeamRoot" || fence.listPrefix === "otherTeamRoot") && !other) continue;
      const otherRoot = `${facts.prefixes.pipelineRoot}/${other}`;
      const key = {
        bucket: "",
        otherTeamRoot: `${otherRoot}/run/probe`,
        outsideBackups: `${BUCKET_PREFIXES.pipelinePackages}/probe`,
        otherStackBackups: `${BUCKET_PREFIXES.backups}/another-stack/20261129T020000Z/kfp.sql`,
        restoreSource: `${facts.prefixes.restoreSource}/20261129T020000Z/kfp.sql`,
        pipelineRoot: `${facts.prefixes.pipelineRoot}/run/probe`,
      }[fence.resource];
      const resource = fence.resource === "bucket" ? `arn:aws:s3:::${facts.bucket}` : `arn:aws:s3:::${facts.bucket}/${key}`;
      const context: Record<string, string> = fence.listPrefix ? { "s3:prefix": `${otherRoot}/` } : {};
      const result = await evaluate(facts, role, fence.action, resource, context);
      if (result === "Allowed") out.push(`${facts.stack}: fence broken: ${fence.what}: ${label} is allowed ${fence.action} on ${resource}`);
    }
  }
  for (const [key, role] of facts.roles) {
    for (const action of BUCKET_ADMIN_ACTIONS) {
      const result = await evaluate(facts, role, action, `arn:aws:s3:::${facts.bucket}`);
      if (result === "Allowed") out.push(`${facts.stack}: fence broken: ${key} may ${action} on the bucket`);
    }
  }
  return out;
}

/** An S3 request as a recording front saw it, path-style. */
export interface RecordedS3Request {
  readonly method: string;
  readonly url: string;
}

/**
 * The S3 operation a path-style REST request is, and the IAM action and resource it is authorised as (AWS S3
 * user guide, "Required permissions for Amazon S3 API operations"; the REST forms from the S3 API
 * reference of each operation). An unknown form throws: every request a script sends must be judged.
 */
export function s3RequestAction(request: RecordedS3Request): { operation: string; action: string; resource: string; context: Record<string, string> } {
  const url = new URL(request.url, "http://s3.local");
  const [bucket, ...rest] = url.pathname.replace(/^\//, "").split("/");
  const key = rest.map(decodeURIComponent).join("/");
  const has = (name: string) => url.searchParams.has(name);
  const onBucket = (operation: string, action: string, context: Record<string, string> = {}) => ({ operation, action, resource: `arn:aws:s3:::${bucket}`, context });
  const onObject = (operation: string, action: string) => ({ operation, action, resource: `arn:aws:s3:::${bucket}/${key}`, context: {} });
  const form = `${request.method} ${key ? "object" : "bucket"}`;
  switch (form) {
    case "HEAD bucket":
      return onBucket("HeadBucket", "s3:ListBucket");
    case "GET bucket":
      if (has("location")) return onBucket("GetBucketLocation", "s3:GetBucketLocation");
      if (has("uploads")) return onBucket("ListMultipartUploads", "s3:ListBucketMultipartUploads");
      if (has("versions")) return onBucket("ListObjectVersions", "s3:ListBucketVersions");
      if ([...url.searchParams.keys()].every((k) => ["list-type", "prefix", "delimiter", "encoding-type", "continuation-token", "start-after", "max-keys", "marker", "fetch-owner"].includes(k)))
        return onBucket(has("list-type") ? "ListObjectsV2" : "ListObjects", "s3:ListBucket", url.searchParams.has("prefix") ? { "s3:prefix": url.searchParams.get("prefix")! } : {});
      break;
    case "HEAD object":
      return onObject("HeadObject", "s3:GetObject");
    case "GET object":
      if (has("uploadId")) return onObject("ListParts", "s3:ListMultipartUploadParts");
      if ([...url.searchParams.keys()].every((k) => k.startsWith("response-") || k === "partNumber")) return onObject("GetObject", "s3:GetObject");
      break;
    case "PUT object":
      if (has("uploadId") && has("partNumber")) return onObject("UploadPart", "s3:PutObject");
      if ([...url.searchParams.keys()].length === 0) return onObject("PutObject", "s3:PutObject");
      break;
    case "POST object":
      if (has("uploads")) return onObject("CreateMultipartUpload", "s3:PutObject");
      if (has("uploadId")) return onObject("CompleteMultipartUpload", "s3:PutObject");
      break;
    case "DELETE object":
      if (has("uploadId")) return onObject("AbortMultipartUpload", "s3:AbortMultipartUpload");
      if ([...url.searchParams.keys()].length === 0) return onObject("DeleteObject", "s3:DeleteObject");
      break;
  }
  throw new Error(`no S3 operation known for ${request.method} ${request.url}: add its form to s3RequestAction`);
}

/**
 * Every recorded request that the role `roleKey` ("irsa:<ns>:<sa>") would not be Allowed on this stack,
 * one line each. The requests name the stack's own bucket (the local server is given the planned names).
 */
export async function deniedRequests(facts: AwsStackFacts, roleKey: string, requests: readonly RecordedS3Request[]): Promise<string[]> {
  const role = facts.roles.get(roleKey);
  if (!role) return [`${facts.stack}: no IAM role for ${roleKey} in the plan`];
  const out: string[] = [];
  for (const request of requests) {
    const { operation, action, resource, context } = s3RequestAction(request);
    const result = await evaluate(facts, role, action, resource, context);
    if (result !== "Allowed") out.push(`${facts.stack}: ${roleKey}: ${request.method} ${request.url} (${operation}) needs ${action} on ${resource}: ${result}`);
  }
  return out;
}
