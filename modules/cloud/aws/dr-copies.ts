// Copies in a second region, made by the primary stack, that a DR stack rebuilds from: the artifact
// bucket replicated by S3 (new objects, incl. the logical database backups under backups/) into a
// versioned replica encrypted with a key of that region, and the database's automated backups
// replicated by RDS (point-in-time restore there). docs/disaster-recovery.md is the runbook.
// Permissions: AWS S3 user guide, "Setting up permissions" and "Replicating encrypted objects";
// RDS user guide, "Replicating automated backups to another AWS Region".
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { ArtifactBucket } from "./bucket";
import { policyDocument, serviceTrust } from "./iam";

type DisasterRecoveryConfig = NonNullable<Extract<StackConfig["cluster"], { target: "aws" }>["disasterRecovery"]>;
type S3Config = Extract<StackConfig["objectStore"], { kind: "s3" }>;

export interface DisasterRecoveryCopiesArgs {
  readonly config: DisasterRecoveryConfig;
  readonly clusterName: string;
  /** The primary region, its provider, and its artifact bucket with the bucket's key. */
  readonly region: string;
  /** The account both regions are in: the DR provider refuses any other, as the primary does. */
  readonly accountId: string;
  readonly primaryProvider: aws.Provider;
  readonly source: { bucket: ArtifactBucket; store: S3Config; kmsKeyArn: pulumi.Input<string> };
  /** The primary database (absent without RDS). */
  readonly databaseArn?: pulumi.Input<string>;
  /** backup.retentionDays: the replica expires the logical backups a day after the primary's job prunes them. */
  readonly backupRetentionDays: number;
  readonly protect: boolean;
}

export class DisasterRecoveryCopies extends pulumi.ComponentResource {
  /** The key the replicas are encrypted with: the DR stack's objectStore.existingBucket.kmsKeyArn. */
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly replicaBucket: ArtifactBucket;
  readonly replication: aws.s3.BucketReplicationConfig;
  /** The replicated automated backups: the DR stack's database.restoreFrom.automatedBackupsArn. */
  readonly backupsReplication?: aws.rds.InstanceAutomatedBackupsReplication;

  constructor(name: string, args: DisasterRecoveryCopiesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:DisasterRecoveryCopies", name, {}, opts);
    const { config } = args;
    const provider = new aws.Provider(
      `${name}-aws`,
      { region: config.region as aws.Region, allowedAccountIds: [args.accountId], defaultTags: { tags: { "kfp-platform/cluster": args.clusterName, "kfp-platform/managed-by": "pulumi", "kfp-platform/copy-of": args.region } } },
      { parent: this },
    );
    const drOpts = { parent: this, provider };
    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `${args.clusterName}: DR copies of KFP artifacts and database backups (from ${args.region})`, enableKeyRotation: true, deletionWindowInDays: 30 },
      { ...drOpts, protect: args.protect },
    );
    this.kmsKeyArn = key.arn;

    const { source } = args;
    const primaryOpts = { parent: this, provider: args.primaryProvider };
    // The primary's settings (versioned, KMS, private, TLS only, its lifecycle rules) in the DR region, and
    // a lifecycle of its own: replication carries no deletes, so the replica expires the logical backups
    // itself (one day after the primary's job prunes them), and old versions and delete markers follow.
    this.replicaBucket = new ArtifactBucket(
      `${name}-replica`,
      {
        config: { ...source.store, bucket: config.replicaBucket, existingBucket: undefined },
        region: config.region,
        kmsKeyArn: key.arn,
        expireBackupsDays: args.backupRetentionDays + 1,
        protect: args.protect,
        provider,
      },
      { parent: this },
    );
    const sourceArn = source.bucket.arn;
    const replicaArn = this.replicaBucket.arn;
    const role = new aws.iam.Role(`${name}-replication-role`, { assumeRolePolicy: serviceTrust("s3.amazonaws.com"), description: `S3 replication ${source.store.bucket} -> ${config.replicaBucket}` }, primaryOpts);
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: role.id,
        policy: policyDocument([
          { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: sourceArn },
          { Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: pulumi.interpolate`${sourceArn}/*` },
          { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: pulumi.interpolate`${replicaArn}/*` },
          // Objects are SSE-KMS: decrypt with the primary key, re-encrypt with the replica's, only through S3.
          { Effect: "Allow", Action: ["kms:Decrypt"], Resource: source.kmsKeyArn, Condition: { StringLike: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } } },
          { Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: key.arn, Condition: { StringLike: { "kms:ViaService": `s3.${config.region}.amazonaws.com` } } },
        ]),
      },
      primaryOpts,
    );
    this.replication = new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: source.store.bucket,
        role: role.arn,
        rules: [
          {
            id: "dr-copy",
            status: "Enabled",
            filter: {},
            // A delete in the primary does not hide the replica's copy: the replica stays a safety copy
            // and expires what it keeps by its own lifecycle rules (ArtifactBucket expireBackupsDays).
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: replicaArn, encryptionConfiguration: { replicaKmsKeyId: key.arn } },
          },
        ],
      },
      // S3 refuses replication until both buckets are versioned.
      { ...primaryOpts, dependsOn: [rolePolicy, ...[source.bucket.versioning, this.replicaBucket.versioning].filter((v) => v !== undefined)] },
    );

    if (args.databaseArn) {
      this.backupsReplication = new aws.rds.InstanceAutomatedBackupsReplication(
        `${name}-db-backups`,
        { sourceDbInstanceArn: args.databaseArn, retentionPeriod: config.backupRetentionDays, kmsKeyId: key.arn },
        drOpts,
      );
    }
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn, replicaBucket: config.replicaBucket, automatedBackupsArn: this.backupsReplication?.id });
  }
}
