// The kubeconfig the Kubernetes provider uses for an EKS cluster: the cluster's endpoint and CA, and a
// token from `aws eks get-token` at each use (tokens last 15 minutes, so none is baked in). Whoever
// runs `pulumi up` needs the AWS CLI v2 and credentials that an access entry admits.
import * as pulumi from "@pulumi/pulumi";
import { execKubeconfig } from "../kubeconfig";

export function eksKubeconfig(args: {
  clusterName: pulumi.Input<string>;
  endpoint: pulumi.Input<string>;
  certificateAuthority: pulumi.Input<string>;
  region: string;
}): pulumi.Output<string> {
  return pulumi
    .all([args.clusterName, args.endpoint, args.certificateAuthority])
    .apply(([name, server, ca]) => execKubeconfig(name, server, ca, { command: "aws", args: ["--region", args.region, "eks", "get-token", "--cluster-name", name, "--output", "json"] }));
}
