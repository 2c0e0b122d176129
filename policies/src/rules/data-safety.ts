// Pipeline artifacts and run history are the platform's only irreplaceable state: buckets keep old
// versions, are encrypted and never public; databases keep backups and are encrypted; and in strict
// environments (prod) nothing stateful can be deleted by a careless `pulumi up` or `destroy`.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knobs, stringList } from "../lib/config";
import { PVC } from "../lib/k8s";
import { reporter } from "../lib/report";
import { ofType, stackEnvironment } from "../lib/stack";

const NAME = "data-safety";
const S3_BUCKET = "aws:s3/bucket:Bucket";
const S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const S3_ACL = "aws:s3/bucketAcl:BucketAcl";
const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const RDS = ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"];
const CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance";
/** Losing these loses data too: the key that encrypts it, the cluster whose Secrets and volumes hold it. */
const KEYS_AND_CLUSTERS = ["aws:kms/key:Key", "aws:eks/cluster:Cluster", "gcp:kms/cryptoKey:CryptoKey", "gcp:container/cluster:Cluster"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

const config = knobs({
  minBackupRetentionDays: { type: "integer", minimum: 1, maximum: 35, description: "Fewest days of database backups to keep.", default: 7 },
  strictEnvironments: stringList("Stack environments (the stack's `environment` output) where stateful resources must be protected and databases deletion-protected.", ["prod"]),
  protectedTypes: stringList("Resource types that hold state and must be `protect`ed in strict environments.", [PVC, S3_BUCKET, GCS_BUCKET, ...RDS, CLOUD_SQL, ...KEYS_AND_CLUSTERS]),
});

type Violation = (problem: string, fix: string) => void;

function checkS3Bucket(bucket: PolicyResource, all: PolicyResource[], violation: Violation) {
  // Bucket settings are separate resources since aws v6; they point at the bucket by name.
  const attached = (type: string) =>
    ofType(all, type).filter((r) => (r.propertyDependencies.bucket ?? []).includes(bucket) || (r.props.bucket !== undefined && r.props.bucket === bucket.props.bucket));
  const versioned = bucket.props.versioning?.enabled === true || attached(S3_VERSIONING).some((r) => r.props.versioningConfiguration?.status === "Enabled");
  if (!versioned) violation("bucket is not versioned, so an overwrite or delete loses the artifact for good", "add an aws.s3.BucketVersioning with versioningConfiguration.status \"Enabled\"");
  const encrypted = Boolean(bucket.props.serverSideEncryptionConfiguration) || attached(S3_ENCRYPTION).some((r) => (r.props.rules ?? []).length > 0);
  if (!encrypted) violation("bucket declares no server-side encryption", "add an aws.s3.BucketServerSideEncryptionConfiguration (aws:kms or AES256)");
  const publicAcl = [bucket.props.acl, ...attached(S3_ACL).map((r) => r.props.acl)].find((acl) => PUBLIC_ACLS.includes(acl));
  if (publicAcl) violation(`bucket ACL ${publicAcl} makes it readable outside the account`, "drop the ACL (private is the default)");
  const blocked = attached(S3_PUBLIC_ACCESS_BLOCK).some((r) => BLOCK_SETTINGS.every((key) => r.props[key] === true));
  if (!blocked) violation("bucket has no public access block with all four settings on", `add an aws.s3.BucketPublicAccessBlock with ${BLOCK_SETTINGS.join(", ")} true`);
}

function checkGcsBucket(bucket: PolicyResource, violation: Violation) {
  if (bucket.props.versioning?.enabled !== true) violation("bucket is not versioned, so an overwrite or delete loses the artifact for good", "set versioning.enabled true");
  if (bucket.props.publicAccessPrevention !== "enforced") violation("bucket does not enforce public access prevention", "set publicAccessPrevention \"enforced\"");
}

function checkDatabase(db: PolicyResource, minDays: number, strict: boolean, violation: Violation) {
  if (RDS.includes(db.type)) {
    const days = Number(db.props.backupRetentionPeriod ?? 0);
    if (days < minDays) violation(`database keeps ${days} days of backups, fewer than ${minDays}`, `set backupRetentionPeriod to at least ${minDays} (stack config database.backupRetentionDays)`);
    if (db.props.storageEncrypted !== true) violation("database storage is not encrypted", "set storageEncrypted true (it cannot be turned on later without a restore)");
    if (strict && db.props.deletionProtection !== true) violation("database can be deleted", "set deletionProtection true (stack config protectData: true, the default in prod)");
    return;
  }
  const backups = db.props.settings?.backupConfiguration;
  if (backups?.enabled !== true) violation("Cloud SQL backups are off", "set settings.backupConfiguration.enabled true (with binaryLogEnabled for point-in-time recovery)");
  const kept = backups?.backupRetentionSettings?.retainedBackups;
  if (kept !== undefined && kept < minDays) violation(`Cloud SQL keeps ${kept} daily backups, fewer than ${minDays}`, `set backupRetentionSettings.retainedBackups to at least ${minDays} (stack config database.backupRetentionDays)`);
  if (strict && (db.props.deletionProtection === false || db.props.settings?.deletionProtectionEnabled !== true)) {
    violation("Cloud SQL instance can be deleted", "keep deletionProtection true and set settings.deletionProtectionEnabled true (stack config protectData: true, the default in prod)");
  }
}

export const dataSafety: StackValidationPolicy = {
  name: NAME,
  description: "Buckets versioned, encrypted and not public; databases backed up and encrypted; in strict environments stateful resources protected and databases deletion-protected.",
  severity: "critical",
  configSchema: config.configSchema,
  validateStack: (args, report) => {
    const { minBackupRetentionDays, strictEnvironments, protectedTypes } = config.read(args);
    const environment = stackEnvironment(args.resources);
    const strict = environment === undefined || strictEnvironments.includes(environment);
    const at = (r: PolicyResource) => reporter(NAME, r, report);
    for (const bucket of ofType(args.resources, S3_BUCKET)) checkS3Bucket(bucket, args.resources, at(bucket));
    for (const bucket of ofType(args.resources, GCS_BUCKET)) checkGcsBucket(bucket, at(bucket));
    for (const db of ofType(args.resources, ...RDS, CLOUD_SQL)) checkDatabase(db, minBackupRetentionDays, strict, at(db));
    if (!strict) return;
    for (const r of ofType(args.resources, ...protectedTypes)) {
      if (!r.opts.protect) at(r)(`holds state but is not protected in environment ${environment ?? "(not exported by the stack)"}`, "create it with { protect: true } (stack config protectData)");
    }
  },
};
