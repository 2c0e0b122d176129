// An IAM role that exactly one Kubernetes service account assumes through IRSA, with its permissions.
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { policyDocument, serviceAccountTrust, type Statement } from "./iam";

export interface OidcProvider {
  readonly arn: pulumi.Input<string>;
  /** The cluster's issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<id>). */
  readonly issuerUrl: pulumi.Input<string>;
}

export interface IrsaRoleArgs {
  readonly oidc: OidcProvider;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Inline permissions, when the role needs its own. */
  readonly statements?: Statement[];
  /** AWS-managed policies to attach. */
  readonly managedPolicyArns?: string[];
  readonly description: string;
}

/** Creates the role (named from `name`) and its policies as children of `parent`; returns the role. */
export function irsaRole(name: string, args: IrsaRoleArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: serviceAccountTrust(args.oidc, args.namespace, args.serviceAccount), description: args.description },
    opts,
  );
  if (args.statements?.length) {
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyDocument(args.statements) }, opts);
  }
  for (const [i, policyArn] of (args.managedPolicyArns ?? []).entries()) {
    new aws.iam.RolePolicyAttachment(`${name}-managed-${i}`, { role: role.name, policyArn }, opts);
  }
  return role;
}
