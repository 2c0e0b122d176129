// The GCP foundation's network: a custom-mode VPC, one regional subnetwork with secondary ranges for
// pods and Services (VPC-native GKE), and Cloud NAT so private nodes reach registries and Google APIs.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

export interface GcpNetworkArgs {
  readonly region: string;
  readonly clusterName: string;
  readonly nodesCidr: string;
  readonly podsCidr: string;
  readonly servicesCidr: string;
  readonly provider: gcp.Provider;
}

export class GcpNetwork extends pulumi.ComponentResource {
  readonly network: gcp.compute.Network;
  readonly subnetwork: gcp.compute.Subnetwork;

  constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gcp:Network", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    this.network = new gcp.compute.Network(name, { name: args.clusterName, autoCreateSubnetworks: false, routingMode: "REGIONAL" }, child);
    this.subnetwork = new gcp.compute.Subnetwork(
      `${name}-nodes`,
      {
        name: `${args.clusterName}-nodes`,
        network: this.network.id,
        region: args.region,
        ipCidrRange: args.nodesCidr,
        // Private nodes reach Google APIs (GCS, Artifact Registry, Cloud SQL admin) without public IPs.
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
          { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
        ],
      },
      child,
    );
    const router = new gcp.compute.Router(`${name}-router`, { name: `${args.clusterName}-router`, network: this.network.id, region: args.region }, child);
    new gcp.compute.RouterNat(
      `${name}-nat`,
      { name: `${args.clusterName}-nat`, router: router.name, region: args.region, natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES" },
      child,
    );
    this.registerOutputs({ network: this.network.name, subnetwork: this.subnetwork.name });
  }
}
