// A kubeconfig for one cluster whose token comes from an exec credential plugin at each use (none is
// baked into the state): `aws eks get-token` on EKS, gke-gcloud-auth-plugin on GKE.

export interface ExecCredential {
  readonly command: string;
  readonly args?: string[];
  readonly provideClusterInfo?: boolean;
}

export function execKubeconfig(name: string, server: string, certificateAuthority: string, exec: ExecCredential): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": certificateAuthority } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [{ name, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", ...exec, interactiveMode: "Never" } } }],
  });
}
