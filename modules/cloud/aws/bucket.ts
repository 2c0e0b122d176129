// The S3 pipeline root: versioned, encrypted with the stack's KMS key, never public, owner-enforced,
// TLS only, with lifecycle rules; and one IRSA role per KFP service account that uses it, each allowed
// only the key prefixes that component reads or writes (least privilege), trusted only for its own
// service account's token. With `existingBucket` (a DR stack adopting the replica) only the roles are
// created: the bucket and its settings belong to the stack that made it.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { BUCKET_PREFIXES, OBJECT_STORE_CLIENTS, type ObjectStoreClient, type ObjectStoreReader } from "../../foundation/names";
import { partitionOf, policyDocument, type Statement } from "./iam";
import { irsaRole, type OidcProvider } from "./irsa";
import type { ScopedIdentityRequest } from "../../foundation/contract";

type S3Config = Extract<StackConfig["objectStore"], { kind: "s3" }>;

interface ClientRoles {
  readonly oidc: OidcProvider;
  readonly namespace: string;
  readonly pipelineRootPath: string;
  /** Read-only clients of the pipeline root that get a role too (single-user: viewers, the visualization server). */
  readonly readers: readonly ObjectStoreReader[];
}

export interface ArtifactBucketArgs {
  readonly config: S3Config;
  readonly region: string;
  /** The key objects are encrypted with (ignored with config.existingBucket, which names its own). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** IRSA roles for KFP's clients, created only with auth irsa; `pipelineRootPath` (kfp.pipelineRootPath) is the prefix they may use. */
  readonly irsa?: ClientRoles;
  readonly protect: boolean;
  readonly provider: aws.Provider;
  /**
   * A replica's own expiry of the logical backups under backups/mysql/ (every stack's folder): days after
   * they were written. The primary's backup job prunes its copies, but S3 replication carries no
   * deletes (delete markers are not replicated with deleteMarkerReplication off, and deletes of a
   * version never are: S3 user guide, "What is replicated with replication configurations"), so without
   * this rule a replica keeps every backup forever.
   */
  readonly expireBackupsDays?: number;
}

export class ArtifactBucket extends pulumi.ComponentResource {
  /** The bucket, unless adopted (config.existingBucket). */
  readonly bucket?: aws.s3.Bucket;
  /** Versioning, which replication from this bucket must wait for (unless adopted). */
  readonly versioning?: aws.s3.BucketVersioning;
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  /** The IRSA role of each object-store client's service account (auth irsa). */
  readonly roleArns: Partial<Record<ObjectStoreClient | ObjectStoreReader, pulumi.Output<string>>> = {};
  /** What must exist before anything uses the bucket. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ArtifactBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:ArtifactBucket", name, {}, opts);
    const { config } = args;
    const child = { parent: this, provider: args.provider };
    this.name = config.bucket;
    this.provider = args.provider;
    this.irsa = args.irsa?.oidc;
    if (config.existingBucket) {
      this.arn = pulumi.output(`arn:${partitionOf(args.region)}:s3:::${config.bucket}`);
      this.kmsKeyArn = config.existingBucket.kmsKeyArn;
      this.ready = [];
    } else {
      if (!args.kmsKeyArn) throw new Error(`internal: bucket ${config.bucket} needs a KMS key`);
      this.kmsKeyArn = args.kmsKeyArn;
      const created = this.createBucket(name, config, args.kmsKeyArn, args.protect, args.expireBackupsDays, child);
      this.bucket = created.bucket;
      this.versioning = created.versioning;
      this.arn = created.bucket.arn;
      this.ready = created.ready;
    }
    if (args.irsa) this.createClientRoles(name, args.irsa, child);
    this.registerOutputs({ bucket: this.name, arn: this.arn });
  }

  private readonly irsa?: OidcProvider;
  private readonly kmsKeyArn: pulumi.Input<string>;
  private readonly provider: aws.Provider;

  private createBucket(name: string, config: S3Config, kmsKeyArn: pulumi.Input<string>, protect: boolean, expireBackupsDays: number | undefined, child: pulumi.CustomResourceOptions) {
    const created = new aws.s3.Bucket(`${name}-bucket`, { bucket: config.bucket, forceDestroy: false }, { ...child, protect });
    const bucket = created.id;

    const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      // A bucket key cuts KMS requests (and their cost) for the many small artifacts pipelines write.
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true }] },
      child,
    );
    const tlsOnly = new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket,
        policy: policyDocument([
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [created.arn, pulumi.interpolate`${created.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      },
      { ...child, dependsOn: [publicBlock] },
    );
    const { lifecycle } = config;
    const lifecycleRules = new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: lifecycle.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: lifecycle.abortIncompleteUploadDays },
          },
          ...(lifecycle.expireArtifactsDays
            ? [{ id: "expire-artifacts", status: "Enabled", filter: {}, expiration: { days: lifecycle.expireArtifactsDays } }]
            : []),
          // A replica's: its backups become noncurrent (a delete marker) past the retention, and the rule
          // above then removes them; a marker left with no versions behind it goes too.
          ...(expireBackupsDays
            ? [
                { id: "expire-backups", status: "Enabled", filter: { prefix: `${BUCKET_PREFIXES.backups}/` }, expiration: { days: expireBackupsDays } },
                { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
              ]
            : []),
        ],
      },
      { ...child, dependsOn: [versioning] },
    );
    return { bucket: created, versioning, ready: [created, ownership, publicBlock, versioning, encryption, tlsOnly, lifecycleRules] };
  }

  /** One IRSA role per object-store client, each allowed only the prefixes that component uses. */
  private createClientRoles(name: string, irsa: ClientRoles, child: pulumi.CustomResourceOptions) {
    const root = irsa.pipelineRootPath;
    const objects = (...prefixes: string[]) => prefixes.map((p) => pulumi.interpolate`${this.arn}/${p}/*`);
    const { argoLogs, pipelinePackages } = BUCKET_PREFIXES;
    const access: Partial<Record<ObjectStoreClient | ObjectStoreReader, Statement[]>> = {
      // Reads stored pipeline packages, v1 artifacts and archived logs; checks the bucket at start.
      [OBJECT_STORE_CLIENTS.apiServer]: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: objects(pipelinePackages, argoLogs, root) }],
      // Shows artifacts and archived logs.
      [OBJECT_STORE_CLIENTS.ui]: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: objects(argoLogs, root) }],
      // Step pods: the launcher reads inputs and writes outputs, Argo's wait container uploads logs.
      [OBJECT_STORE_CLIENTS.pipelineRunner]: [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: objects(argoLogs, root) },
        { Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: this.kmsKeyArn },
      ],
    };
    // TensorBoard viewers and the visualization server read what runs wrote under the pipeline root.
    for (const reader of irsa.readers) access[reader] = [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: objects(root) }];
    for (const [serviceAccount, statements] of Object.entries(access) as [ObjectStoreClient | ObjectStoreReader, Statement[]][]) {
      const role = irsaRole(
        `${name}-${serviceAccount}`,
        {
          oidc: irsa.oidc,
          namespace: irsa.namespace,
          serviceAccount,
          description: `${serviceAccount} in ${irsa.namespace}: the KFP artifact bucket ${this.name} (IRSA)`,
          statements: [
            // GetBucketLocation: clients that get no region ask for it; ListBucket: existence checks and listings.
            { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: this.arn },
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: this.kmsKeyArn },
            ...statements,
          ],
        },
        child,
      );
      this.roleArns[serviceAccount] = role.arn;
    }
  }

  /**
   * An IRSA role for one service account that may use only the keys under `prefixes`: ListBucket carries
   * an s3:prefix condition, object actions name the prefixes' ARNs, and `access` says which: reads
   * (GetObject also serves HeadObject), writes (PutObject also serves the multipart calls
   * CreateMultipartUpload, UploadPart and CompleteMultipartUpload; AbortMultipartUpload and
   * ListMultipartUploadParts are their own actions: S3 user guide, "Multipart upload API and
   * permissions"), deletes (DeleteObject). SSE-KMS: reading needs kms:Decrypt, writing
   * kms:GenerateDataKey, and a multipart upload kms:Decrypt too (same guide). What each workload calls,
   * and where in its source: modules/facts/cloud-calls.ts.
   */
  scopedRole(name: string, request: ScopedIdentityRequest, parent: pulumi.Resource): aws.iam.Role {
    if (!this.irsa) throw new Error("internal: scoped identities need the bucket's IRSA setup (auth irsa)");
    const objects = request.prefixes.map((p) => pulumi.interpolate`${this.arn}/${p}/*`);
    const writes = request.access !== "read";
    const objectActions = [
      "s3:GetObject",
      ...(writes ? ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] : []),
      ...(request.access === "read-write-delete" ? ["s3:DeleteObject"] : []),
    ];
    const verbs = { read: "read", "read-write": "read and write", "read-write-delete": "read, write and delete" }[request.access];
    return irsaRole(
      name,
      {
        oidc: this.irsa,
        namespace: request.namespace,
        serviceAccount: request.serviceAccount,
        description: `${request.serviceAccount} in ${request.namespace}: ${verbs} ${request.prefixes.join(", ")} in the KFP artifact bucket (IRSA)`,
        statements: [
          { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: this.arn },
          {
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: this.arn,
            Condition: { StringLike: { "s3:prefix": request.prefixes.flatMap((p) => [p, `${p}/*`]) } },
          },
          { Effect: "Allow", Action: objectActions, Resource: objects },
          { Effect: "Allow", Action: writes ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"], Resource: this.kmsKeyArn },
        ],
      },
      { parent, provider: this.provider },
    );
  }
}

/** The regional S3 endpoint, for S3-protocol clients (virtual-hosted style). */
export function s3Endpoint(region: string): string {
  return partitionOf(region) === "aws-cn" ? `s3.${region}.amazonaws.com.cn` : `s3.${region}.amazonaws.com`;
}
