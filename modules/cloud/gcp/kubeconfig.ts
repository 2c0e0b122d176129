// The kubeconfig the Kubernetes provider uses for a GKE cluster: its endpoint and CA, and a token from
// gke-gcloud-auth-plugin at each use (none is baked in). Whoever runs `pulumi up` needs gcloud with the
// plugin (`gcloud components install gke-gcloud-auth-plugin`) and credentials with access to the cluster.
import * as pulumi from "@pulumi/pulumi";
import { execKubeconfig } from "../kubeconfig";

export function gkeKubeconfig(args: { clusterName: pulumi.Input<string>; endpoint: pulumi.Input<string>; certificateAuthority: pulumi.Input<string> }): pulumi.Output<string> {
  return pulumi
    .all([args.clusterName, args.endpoint, args.certificateAuthority])
    .apply(([name, endpoint, ca]) => execKubeconfig(name, `https://${endpoint}`, ca, { command: "gke-gcloud-auth-plugin", provideClusterInfo: true }));
}
