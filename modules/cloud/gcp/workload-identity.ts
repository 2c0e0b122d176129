// Workload Identity: exactly one Kubernetes service account may act as a Google service account. The
// member names the project's workload pool (`<project>.svc.id.goog`), which exists only once a cluster
// with Workload Identity does: IAM refuses the binding before, so it waits for the cluster.
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";

export interface WorkloadIdentityArgs {
  readonly account: gcp.serviceaccount.Account;
  readonly project: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The GKE cluster whose creation brings the project's workload pool. */
  readonly cluster: pulumi.Resource;
}

export function workloadIdentityMember(project: string, namespace: string, serviceAccount: string): string {
  return `serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]`;
}

export function workloadIdentityBinding(name: string, args: WorkloadIdentityArgs, opts: { parent: pulumi.Resource; provider: gcp.Provider }): gcp.serviceaccount.IAMMember {
  return new gcp.serviceaccount.IAMMember(
    name,
    { serviceAccountId: args.account.name, role: "roles/iam.workloadIdentityUser", member: workloadIdentityMember(args.project, args.namespace, args.serviceAccount) },
    { ...opts, dependsOn: [args.cluster] },
  );
}
