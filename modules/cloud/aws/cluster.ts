// The EKS control plane: its IAM role, Secrets encrypted with a KMS key of the stack's, API
// authentication through access entries only (admins and team groups from config), the OIDC provider
// for IRSA, control-plane logs, and the core add-ons at pinned versions.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { teamGroup } from "../../config/teams";
import { eks, type EksAddon } from "../../versions";
import { managedPolicy, partitionOf, policyDocument, serviceTrust } from "./iam";
import { irsaRole, type OidcProvider } from "./irsa";

type AwsClusterConfig = Extract<StackConfig["cluster"], { target: "aws" }>;

export interface EksClusterArgs {
  readonly config: AwsClusterConfig;
  /** Team name -> IAM roles mapped to the team's Kubernetes group. */
  readonly teamPrincipals: Readonly<Record<string, readonly string[]>>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly protect: boolean;
  readonly provider: aws.Provider;
}


/**
 * Add-on configuration the kit needs. The VPC CNI enforces NetworkPolicies (team fences, the multi-user
 * gateway's) only with its network policy agent on (VPC CNI >= 1.14; EKS user guide, "Limit Pod traffic
 * with Kubernetes network policies": configuration value enableNetworkPolicy); without it every
 * NetworkPolicy is silently ignored.
 */
const ADDON_CONFIGURATION: Partial<Record<EksAddon, Record<string, string>>> = {
  "vpc-cni": { enableNetworkPolicy: "true" },
};

export class EksCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  readonly oidc: OidcProvider;
  readonly name: pulumi.Output<string>;
  /** Security group EKS attaches to the control plane and to managed nodes without their own groups. */
  readonly securityGroupId: pulumi.Output<string>;
  private readonly provider: aws.Provider;
  /** Access entries and their policies: the Kubernetes provider must wait for them. */
  readonly access: pulumi.Resource[] = [];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:EksCluster", name, {}, opts);
    const { config } = args;
    this.provider = args.provider;
    const child = { parent: this, provider: args.provider };

    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      { description: `${config.name}: envelope encryption of Kubernetes Secrets`, enableKeyRotation: true, deletionWindowInDays: 30 },
      { ...child, protect: args.protect },
    );
    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: serviceTrust("eks.amazonaws.com"), description: `EKS control plane of ${config.name}` }, child);
    const policies = [
      new aws.iam.RolePolicyAttachment(`${name}-role-cluster-policy`, { role: role.name, policyArn: managedPolicy(config.region, "AmazonEKSClusterPolicy") }, child),
      new aws.iam.RolePolicy(
        `${name}-role-secrets-key`,
        {
          role: role.id,
          policy: policyDocument([{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: secretsKey.arn }]),
        },
        child,
      ),
    ];

    const logGroup = this.controlPlaneLogGroup(name, config, args.protect, child);
    this.cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: config.name,
        version: config.kubernetesVersion,
        roleArn: role.arn,
        vpcConfig: {
          subnetIds: args.subnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: config.endpointAccess === "public-and-private",
          ...(config.endpointAccess === "public-and-private" ? { publicAccessCidrs: config.publicAccessCidrs } : {}),
        },
        // Access entries only (no aws-auth ConfigMap), all of them from config: the creator gets no
        // implicit entry, which would also collide with an admins entry for the same role.
        ...(config.serviceCidr ? { kubernetesNetworkConfig: { serviceIpv4Cidr: config.serviceCidr } } : {}),
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: config.logTypes,
        // EXTENDED: when standard support ends EKS keeps the pinned version (at extended-support prices)
        // instead of upgrading the control plane on its own.
        upgradePolicy: { supportType: "EXTENDED" },
        // The core add-ons below are EKS-managed at pinned versions, not the unmanaged defaults.
        bootstrapSelfManagedAddons: false,
      },
      { ...child, dependsOn: [...policies, logGroup], protect: args.protect },
    );
    this.name = this.cluster.name;
    this.securityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId!);
    const issuerUrl = this.cluster.identities.apply((ids) => ids[0].oidcs![0].issuer!);
    const oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"] }, child);
    this.oidc = { arn: oidcProvider.arn, issuerUrl };

    this.createAccessEntries(name, config, args.teamPrincipals, child);
    this.registerOutputs({ name: this.name, endpoint: this.cluster.endpoint, oidcProviderArn: oidcProvider.arn });
  }

  /**
   * The log group EKS writes control-plane logs to (`/aws/eks/<cluster>/cluster`, EKS user guide "Send
   * control plane logs to CloudWatch Logs"), made before the cluster so EKS finds it instead of creating
   * one that keeps logs forever unencrypted. Its KMS key lets CloudWatch Logs use it for exactly this log
   * group (CloudWatch Logs user guide, "Encrypt log data using AWS KMS": the key policy's service principal
   * and its kms:EncryptionContext:aws:logs:arn condition).
   */
  private controlPlaneLogGroup(name: string, config: AwsClusterConfig, protect: boolean, child: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    const partition = partitionOf(config.region);
    const logGroupName = `/aws/eks/${config.name}/cluster`;
    const key = new aws.kms.Key(
      `${name}-logs-key`,
      {
        description: `${config.name}: EKS control-plane logs`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${config.accountId}:root` }, Action: "kms:*", Resource: "*" },
            {
              Sid: "CloudWatchLogs",
              Effect: "Allow",
              Principal: { Service: `logs.${config.region}.amazonaws.com` },
              Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
              Resource: "*",
              Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${config.region}:${config.accountId}:log-group:${logGroupName}` } },
            },
          ],
        }),
      },
      { ...child, protect },
    );
    return new aws.cloudwatch.LogGroup(`${name}-logs`, { name: logGroupName, retentionInDays: config.logRetentionDays, kmsKeyId: key.arn }, child);
  }

  /** One access entry per principal (EKS allows one), with cluster-admin for admins and team groups for teams. */
  private createAccessEntries(name: string, config: AwsClusterConfig, teamPrincipals: EksClusterArgs["teamPrincipals"], child: pulumi.CustomResourceOptions) {
    const principals = new Map<string, { admin: boolean; groups: string[] }>();
    const entry = (arn: string) => principals.get(arn) ?? principals.set(arn, { admin: false, groups: [] }).get(arn)!;
    for (const arn of config.admins) entry(arn).admin = true;
    for (const [team, arns] of Object.entries(teamPrincipals)) for (const arn of arns) entry(arn).groups.push(teamGroup(team));
    let i = 0;
    for (const [principalArn, { admin, groups }] of principals) {
      const id = `${name}-access-${i++}`;
      const access = new aws.eks.AccessEntry(id, { clusterName: this.cluster.name, principalArn, ...(groups.length ? { kubernetesGroups: groups } : {}) }, child);
      this.access.push(access);
      if (admin) {
        const association = new aws.eks.AccessPolicyAssociation(
          `${id}-admin`,
          {
            clusterName: this.cluster.name,
            principalArn,
            policyArn: `arn:${partitionOf(config.region)}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
            accessScope: { type: "cluster" },
          },
          { ...child, dependsOn: [access] },
        );
        this.access.push(association);
      }
    }
  }

  /**
   * A core add-on at the table's version (or the stack's override). OVERWRITE on create takes over
   * what EKS may have put there; PRESERVE on update keeps settings someone changed on purpose.
   */
  addon(name: string, addonName: EksAddon, config: AwsClusterConfig, extra: { serviceAccountRoleArn?: pulumi.Input<string>; dependsOn?: pulumi.Resource[] } = {}): aws.eks.Addon {
    return new aws.eks.Addon(
      name,
      {
        clusterName: this.cluster.name,
        addonName,
        addonVersion: config.addonVersions[addonName] ?? eks.addons[addonName],
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        ...(extra.serviceAccountRoleArn ? { serviceAccountRoleArn: extra.serviceAccountRoleArn } : {}),
        ...(ADDON_CONFIGURATION[addonName] ? { configurationValues: JSON.stringify(ADDON_CONFIGURATION[addonName]) } : {}),
      },
      { parent: this, provider: this.provider, dependsOn: extra.dependsOn },
    );
  }

  /** The EBS CSI driver's controller role (kube-system/ebs-csi-controller-sa), for the gp3 default StorageClass. */
  ebsCsiRole(name: string, region: string): aws.iam.Role {
    return irsaRole(
      name,
      {
        oidc: this.oidc,
        namespace: "kube-system",
        serviceAccount: "ebs-csi-controller-sa",
        managedPolicyArns: [managedPolicy(region, "service-role/AmazonEBSCSIDriverPolicy")],
        description: "EBS CSI driver controller (IRSA)",
      },
      { parent: this, provider: this.provider },
    );
  }
}
