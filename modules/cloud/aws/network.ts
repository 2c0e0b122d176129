// The VPC of an EKS foundation: per zone a public subnet (NAT gateways, internet-facing load balancers)
// and a private one (nodes, pods through the VPC CNI, the database, internal load balancers), NAT for
// egress (one, or one per zone so a zone outage cannot cut the others off), and an S3 gateway endpoint
// so artifact traffic stays off NAT. STS, which IRSA needs, is reached through NAT.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrSubnet } from "./cidr";

export interface NetworkOutputs {
  readonly vpcId: pulumi.Input<string>;
  readonly privateSubnetIds: pulumi.Input<string>[];
}

export interface AwsNetworkArgs {
  readonly region: string;
  readonly clusterName: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly natGateways: "one" | "per-zone";
  readonly provider: aws.Provider;
}

/** Private subnets take /19s from the bottom of a /16 (pods need addresses); public ones /22s from the top. */
const PRIVATE_BITS = 3;
const PUBLIC_BITS = 6;
const FIRST_PUBLIC = 48;

export class AwsNetwork extends pulumi.ComponentResource implements NetworkOutputs {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:Network", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const tag = (suffix: string, extra: Record<string, string> = {}) => ({ Name: `${args.clusterName}-${suffix}`, ...extra });

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tag("vpc") }, child);
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tag("igw") }, child);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags: tag("public") }, child);

    const zones = args.availabilityZones.map((zone, i) => {
      const publicSubnet = new aws.ec2.Subnet(
        `${name}-public-${zone}`,
        {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: cidrSubnet(args.vpcCidr, PUBLIC_BITS, FIRST_PUBLIC + i),
          mapPublicIpOnLaunch: false,
          // Internet-facing load balancers go here (AWS Load Balancer Controller and in-tree controller).
          tags: tag(`public-${zone}`, { "kubernetes.io/role/elb": "1" }),
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, child);
      const privateSubnet = new aws.ec2.Subnet(
        `${name}-private-${zone}`,
        {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: cidrSubnet(args.vpcCidr, PRIVATE_BITS, i),
          tags: tag(`private-${zone}`, { "kubernetes.io/role/internal-elb": "1" }),
        },
        child,
      );
      return { zone, publicSubnet, privateSubnet };
    });

    const nats = (args.natGateways === "per-zone" ? zones : zones.slice(0, 1)).map(({ zone, publicSubnet }) => {
      const address = new aws.ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc", tags: tag(`nat-${zone}`) }, { ...child, dependsOn: [gateway] });
      return new aws.ec2.NatGateway(`${name}-nat-${zone}`, { allocationId: address.id, subnetId: publicSubnet.id, tags: tag(`nat-${zone}`) }, child);
    });
    const privateRouteTables = zones.map(({ zone, privateSubnet }, i) => {
      const nat = nats[Math.min(i, nats.length - 1)];
      const table = new aws.ec2.RouteTable(`${name}-private-${zone}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tag(`private-${zone}`) }, child);
      new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: privateSubnet.id, routeTableId: table.id }, child);
      return table;
    });
    s3GatewayEndpoint(`${name}-s3`, { region: args.region, vpcId: vpc.id, routeTableIds: privateRouteTables.map((t) => t.id), tags: tag("s3") }, child);

    this.vpcId = vpc.id;
    this.privateSubnetIds = zones.map((z) => z.privateSubnet.id);
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}

/** S3 gateway endpoint on the private route tables: artifact traffic goes to S3 directly, not through NAT. */
export function s3GatewayEndpoint(
  name: string,
  args: { region: string; vpcId: pulumi.Input<string>; routeTableIds: pulumi.Input<string>[]; tags?: Record<string, string> },
  opts: pulumi.CustomResourceOptions,
): aws.ec2.VpcEndpoint {
  return new aws.ec2.VpcEndpoint(
    name,
    { vpcId: args.vpcId, serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway", routeTableIds: args.routeTableIds, tags: args.tags },
    opts,
  );
}
