// RDS for MySQL 8.4 for KFP: in the private subnets, reachable only from the cluster's nodes, encrypted
// with the stack's KMS key, with automated backups, and in prod multi-AZ, deletion-protected and with a
// final snapshot. The master login stays with Pulumi and the bootstrap Job; KFP gets the `kfp` user.
// With `restoreFrom` (a DR stack) the instance starts from a point-in-time restore of replicated
// automated backups, or from a snapshot; the bootstrap then only resets the `kfp` user's password.
// A restore keeps the source's master user, password and KMS key: the provider's restore call passes
// no password (terraform-provider-aws internal/service/rds/instance.go, restore_to_point_in_time branch,
// which only modifies manage_master_user_password afterwards), so a restored instance gets an
// RDS-managed master password that the bootstrap reads from Secrets Manager at `pulumi up`.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../../config/schema";
import type { ImageResolver } from "../../images";
import { MYSQL_PORT } from "../../data/kfp-database";
import { kfpLogin } from "../../data/kfp-login";
import { rdsMysql } from "../../versions";
import type { Database } from "../../foundation/contract";

type RdsConfig = Extract<StackConfig["database"], { kind: "rds" }>;

export interface RdsMysqlArgs {
  readonly config: RdsConfig;
  readonly identifier: string;
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  /** The security group of the nodes, the only clients admitted. */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /** The stack's data key (unused when restoring: the instance keeps its backups' key). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  readonly protect: boolean;
  readonly namespace: string;
  readonly images: ImageResolver;
  readonly awsProvider: aws.Provider;
  readonly k8sProvider: k8s.Provider;
  /** What namespaced objects wait for (the platform namespace). */
  readonly dependsOn: pulumi.Resource[];
}

const MASTER_USER = "kfpadmin";

export class RdsMysql extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly database: Database;

  constructor(name: string, args: RdsMysqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:RdsMysql", name, {}, opts);
    const { config } = args;
    const child = { parent: this, provider: args.awsProvider };
    // Alphanumeric: both end up in DSNs and command-line flags (MLMD) unescaped.
    const password = (suffix: string) => new random.RandomPassword(`${name}-${suffix}`, { length: 32, special: false }, { parent: this }).result;
    const masterPassword = password("master-password");

    const dataKey = config.restoreFrom?.kmsKeyArn ?? args.kmsKeyArn;
    if (!dataKey) throw new Error(`internal: RDS instance ${args.identifier} needs a KMS key`);
    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, description: `${args.identifier}: private subnets` }, child);
    const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: args.vpcId, description: `${args.identifier}: MySQL from the cluster's nodes only` }, child);
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-nodes`,
      { securityGroupId: securityGroup.id, referencedSecurityGroupId: args.clientSecurityGroupId, ipProtocol: "tcp", fromPort: MYSQL_PORT, toPort: MYSQL_PORT, description: "MySQL from EKS nodes" },
      child,
    );
    const parameters = new aws.rds.ParameterGroup(
      `${name}-parameters`,
      {
        family: rdsMysql.parameterGroupFamily,
        description: `${args.identifier}: KFP on MySQL 8.4`,
        // ML Metadata 1.14.0 authenticates only with mysql_native_password, off by default in 8.4. A
        // startup option: applied at creation, and after a reboot when changed later.
        parameters: [{ name: "mysql_native_password", value: "ON", applyMethod: "pending-reboot" }],
      },
      child,
    );
    this.instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        identifier: args.identifier,
        engine: "mysql",
        engineVersion: rdsMysql.engineVersion,
        autoMinorVersionUpgrade: true,
        instanceClass: config.instanceClass,
        allocatedStorage: config.allocatedStorageGiB,
        maxAllocatedStorage: config.maxAllocatedStorageGiB,
        storageType: "gp3",
        storageEncrypted: true,
        // A restored instance keeps its backups' key; any other key would read as a change that replaces it.
        kmsKeyId: dataKey,
        ...(config.restoreFrom
          ? { ...restoreSource(config.restoreFrom), manageMasterUserPassword: true }
          : { username: MASTER_USER, password: masterPassword }),
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [securityGroup.id],
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        multiAz: config.multiAz,
        backupRetentionPeriod: config.backupRetentionDays,
        copyTagsToSnapshot: true,
        deletionProtection: config.deletionProtection,
        skipFinalSnapshot: !config.deletionProtection,
        ...(config.deletionProtection ? { finalSnapshotIdentifier: `${args.identifier}-final` } : {}),
        performanceInsightsEnabled: config.performanceInsights,
        ...(config.performanceInsights ? { performanceInsightsKmsKeyId: dataKey } : {}),
      },
      { ...child, protect: args.protect, additionalSecretOutputs: ["password"] },
    );

    this.database = kfpLogin(
      name,
      {
        namespace: args.namespace,
        provider: args.k8sProvider,
        images: args.images,
        host: this.instance.address,
        bootstrapHost: this.instance.address,
        port: MYSQL_PORT,
        admin: config.restoreFrom ? managedMasterLogin(this.instance, child) : { username: MASTER_USER, password: masterPassword },
        tls: "skip-verify",
        dependsOn: args.dependsOn,
        serverReady: [this.instance],
      },
      this,
    );
    this.registerOutputs({ address: this.instance.address, identifier: args.identifier });
  }
}

/**
 * The instance arguments that start it from backups: a point-in-time restore from (replicated)
 * automated backups, or a snapshot. RDS RestoreDBInstanceToPointInTime takes either a restore time
 * or UseLatestRestorableTime, never both.
 */
function restoreSource(from: NonNullable<RdsConfig["restoreFrom"]>): Partial<aws.rds.InstanceArgs> {
  if (from.snapshotIdentifier) return { snapshotIdentifier: from.snapshotIdentifier };
  return {
    restoreToPointInTime: {
      sourceDbInstanceAutomatedBackupsArn: from.automatedBackupsArn,
      ...(from.restoreTime === "latest" ? { useLatestRestorableTime: true } : { restoreTime: from.restoreTime }),
    },
  };
}

/** The RDS-managed master login (manageMasterUserPassword), read from its Secrets Manager secret ({"username","password"}). */
function managedMasterLogin(instance: aws.rds.Instance, opts: pulumi.InvokeOutputOptions): { username: pulumi.Output<string>; password: pulumi.Output<string> } {
  const secretId = instance.masterUserSecrets.apply((secrets) => secrets[0].secretArn);
  const login = aws.secretsmanager.getSecretVersionOutput({ secretId }, opts).secretString.apply((s) => JSON.parse(s) as { username: string; password: string });
  return { username: login.apply((l) => l.username), password: pulumi.secret(login.apply((l) => l.password)) };
}
