// What a plan exposes beyond its network, and to whom: the cluster API endpoints, Services of type
// LoadBalancer or NodePort, and any bucket or database reachable publicly. Defaults are the ones the
// installed SDKs document (@pulumi/aws 7.48.0, @pulumi/gcp 9.37.0 doc strings, read 2026-12-07):
// EKS endpointPublicAccess "Default is `true`", publicAccessCidrs "EKS defaults this to a list with
// `0.0.0.0/0`"; RDS publiclyAccessible "Default is `false`"; GCS publicAccessPrevention "Defaults to
// inherited" (public access possible unless an organization policy enforces prevention).
import type { RecordedResource } from "../harness";

type Inputs = Record<string, any>;
const EVERYONE = ["0.0.0.0/0", "::/0"];
const who = (cidrs: string[]) => (cidrs.some((c) => EVERYONE.includes(c)) ? `ANYONE (${cidrs.join(", ")})` : cidrs.join(", "));

function endpoint(r: RecordedResource): string[] {
  const i = r.inputs as Inputs;
  switch (r.type) {
    case "aws:eks/cluster:Cluster": {
      const vpc = (i.vpcConfig ?? {}) as Inputs;
      if (vpc.endpointPublicAccess === false) return [`EKS API ${i.name ?? r.name}: private only (endpointPublicAccess false)`];
      return [`EKS API ${i.name ?? r.name}: public endpoint, reachable from ${who((vpc.publicAccessCidrs as string[] | undefined) ?? ["0.0.0.0/0"])}`];
    }
    case "gcp:container/cluster:Cluster": {
      const priv = (i.privateClusterConfig ?? {}) as Inputs;
      if (priv.enablePrivateEndpoint === true) return [`GKE API ${i.name ?? r.name}: private endpoint only`];
      const networks = ((i.masterAuthorizedNetworksConfig?.cidrBlocks ?? []) as Inputs[]).map((b) => b.cidrBlock as string);
      return [`GKE API ${i.name ?? r.name}: public endpoint, reachable from ${networks.length > 0 ? who(networks) : "ANYONE (no master authorized networks)"}`];
    }
    case "aws:rds/instance:Instance":
      return i.publiclyAccessible === true ? [`RDS ${i.identifier ?? r.name}: PUBLICLY ACCESSIBLE`] : [];
    case "gcp:sql/databaseInstance:DatabaseInstance": {
      const ip = (i.settings?.ipConfiguration ?? {}) as Inputs;
      if (ip.ipv4Enabled === false) return [];
      const nets = ((ip.authorizedNetworks ?? []) as Inputs[]).map((n) => n.value as string);
      return [`Cloud SQL ${i.name ?? r.name}: public IP, authorized from ${nets.length > 0 ? who(nets) : "no networks (Auth Proxy only)"}`];
    }
    case "gcp:storage/bucket:Bucket":
      return i.publicAccessPrevention === "enforced" ? [] : [`GCS bucket ${i.name ?? r.name}: public access prevention ${i.publicAccessPrevention ?? "inherited"} (not enforced)`];
    case "kubernetes:core/v1:Service": {
      const type = i.spec?.type as string | undefined;
      if (type !== "LoadBalancer" && type !== "NodePort") return [];
      const ranges = (i.spec?.loadBalancerSourceRanges as string[] | undefined) ?? ["0.0.0.0/0"];
      return [`Service ${i.metadata?.namespace ?? "default"}/${i.metadata?.name ?? r.name}: ${type}${type === "LoadBalancer" ? `, reachable from ${who(ranges)}` : " on every node's address"}`];
    }
    default:
      return [];
  }
}

/** An S3 bucket is public-capable unless a public access block blocks all four ways. */
function s3Lines(resources: readonly RecordedResource[]): string[] {
  const blocked = new Set(
    resources
      .filter((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
      .filter((r) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => (r.inputs as Inputs)[k] === true))
      .map((r) => JSON.stringify((r.inputs as Inputs).bucket)),
  );
  return resources
    .filter((r) => r.type === "aws:s3/bucket:Bucket")
    .filter((r) => !blocked.has(JSON.stringify((r.outputs as Inputs).id ?? (r.inputs as Inputs).bucket)) && !blocked.has(JSON.stringify((r.inputs as Inputs).bucket)))
    .map((r) => `S3 bucket ${(r.inputs as Inputs).bucket ?? r.name}: no public access block blocking all public access`);
}

export function endpointLines(resources: readonly RecordedResource[]): string[] {
  const found = [...resources.flatMap(endpoint), ...s3Lines(resources)];
  if (found.length === 0) return ["  reachable from outside: nothing the plan creates (no public endpoint, LoadBalancer or public bucket)"];
  return ["  reachable from outside:", ...found.map((l) => `    ${l}`)];
}
