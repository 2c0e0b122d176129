// Realistic outputs of the AWS resources the `aws` foundation creates: ids, ARNs in the resource's
// region and a fixed account, the EKS endpoint, CA and OIDC issuer, node groups' Auto Scaling groups,
// RDS endpoints, and the names Pulumi's autonaming would give. Deterministic: derived from names.
import { createHash } from "node:crypto";

type Inputs = Record<string, any>;
export type AwsOutputFn = (inputs: Inputs, name: string, region: string) => Inputs;

/** The account every mock ARN is in. */
export const MOCK_ACCOUNT = "123456789012";

const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);
const id = (prefix: string) => (_inputs: Inputs, name: string) => ({ id: `${prefix}-${hex(name, 17)}` });
/** Pulumi's autonaming: the resource name plus seven random hex characters, unless a name is given. */
const autoname = (inputs: Inputs, name: string, key = "name") => inputs[key] ?? `${name}-${hex(`auto/${name}`, 7)}`;

export const awsOutputs: Record<string, AwsOutputFn> = {
  "aws:ec2/vpc:Vpc": (_i, name, region) => ({ id: `vpc-${hex(name, 17)}`, arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT}:vpc/vpc-${hex(name, 17)}` }),
  "aws:ec2/subnet:Subnet": id("subnet"),
  "aws:ec2/internetGateway:InternetGateway": id("igw"),
  "aws:ec2/eip:Eip": (_i, name) => ({ id: `eipalloc-${hex(name, 17)}`, allocationId: `eipalloc-${hex(name, 17)}`, publicIp: `52.0.${parseInt(hex(name, 2), 16)}.10` }),
  "aws:ec2/natGateway:NatGateway": id("nat"),
  "aws:ec2/routeTable:RouteTable": id("rtb"),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": id("rtbassoc"),
  "aws:ec2/vpcEndpoint:VpcEndpoint": id("vpce"),
  "aws:ec2/securityGroup:SecurityGroup": (inputs, name, region) => ({
    id: `sg-${hex(name, 17)}`,
    name: autoname(inputs, name),
    arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT}:security-group/sg-${hex(name, 17)}`,
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": (_i, name) => ({ id: `lt-${hex(name, 17)}`, latestVersion: 1, defaultVersion: 1 }),
  "aws:iam/role:Role": (inputs, name) => {
    const roleName = autoname(inputs, name);
    return { id: roleName, name: roleName, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${roleName}`, uniqueId: `AROA${hex(name, 17).toUpperCase()}` };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (inputs) => {
    const host = String(inputs.url).replace(/^https:\/\//, "");
    return { arn: `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${host}` };
  },
  "aws:kms/key:Key": (_i, name, region) => {
    const keyId = [8, 4, 4, 4, 12].map((n, i) => hex(`${name}/${i}`, n)).join("-");
    return { id: keyId, keyId, arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT}:key/${keyId}` };
  },
  "aws:eks/cluster:Cluster": (inputs, name, region) => {
    const clusterId = hex(name, 32).toUpperCase();
    return {
      id: inputs.name,
      arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT}:cluster/${inputs.name}`,
      endpoint: `https://${clusterId}.gr7.${region}.eks.amazonaws.com`,
      certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\n${hex(`ca/${name}`, 64)}\n-----END CERTIFICATE-----\n`).toString("base64") },
      identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${clusterId}` }] }],
      vpcConfig: { ...inputs.vpcConfig, clusterSecurityGroupId: `sg-${hex(`cluster/${name}`, 17)}`, vpcId: `vpc-${hex(`cluster-vpc/${name}`, 17)}` },
      status: "ACTIVE",
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (inputs, name, region) => ({
    arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT}:nodegroup/${inputs.clusterName}/${inputs.nodeGroupName}/${hex(name, 8)}`,
    resources: [{ autoscalingGroups: [{ name: `eks-${inputs.nodeGroupName}-${hex(name, 8)}` }], remoteAccessSecurityGroupId: "" }],
    status: "ACTIVE",
  }),
  "aws:eks/addon:Addon": (inputs, _name, region) => ({ arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT}:addon/${inputs.clusterName}/${inputs.addonName}/${hex(inputs.addonName, 8)}` }),
  "aws:s3/bucket:Bucket": (inputs, name, region) => {
    const bucket = autoname(inputs, name, "bucket");
    return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region };
  },
  "aws:rds/instance:Instance": (inputs, name, region) => {
    const identifier = autoname(inputs, name, "identifier");
    const address = `${identifier}.${hex(`rds/${region}`, 12)}.${region}.rds.amazonaws.com`;
    // With manageMasterUserPassword RDS keeps the master password in a secret named rds!db-<resource id>.
    const masterUserSecrets = inputs.manageMasterUserPassword
      ? [{ secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:rds!db-${hex(name, 8)}-${hex(`s/${name}`, 4)}-${hex(`x/${name}`, 6)}`, kmsKeyId: "alias/aws/secretsmanager", secretStatus: "active" }]
      : [];
    return { id: identifier, identifier, address, endpoint: `${address}:3306`, port: 3306, arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT}:db:${identifier}`, masterUserSecrets };
  },
  // The id is the replicated backups' ARN in the destination region (what a DR stack restores from).
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (_i, name, region) => ({ id: `arn:aws:rds:${region}:${MOCK_ACCOUNT}:auto-backup:ab-${hex(name, 30)}` }),
  "aws:rds/parameterGroup:ParameterGroup": (inputs, name) => ({ id: autoname(inputs, name), name: autoname(inputs, name) }),
  "aws:rds/subnetGroup:SubnetGroup": (inputs, name) => ({ id: autoname(inputs, name), name: autoname(inputs, name) }),
};

/** The region of the explicit AWS provider a resource names (`urn...::pulumi:providers:aws::<name>::<id>`). */
export function providerName(providerRef: string | undefined, pkg = "aws"): string | undefined {
  return providerRef ? new RegExp(`pulumi:providers:${pkg}::([^:]+)::`).exec(providerRef)?.[1] : undefined;
}
