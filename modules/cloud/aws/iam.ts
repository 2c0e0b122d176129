// IAM documents the AWS foundation writes: trust policies for AWS services and for Kubernetes service
// accounts (IRSA), and the statements of permission policies. Plain JSON, so tests read them as AWS will.
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

export function policyDocument(statements: Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust for an AWS service principal such as eks.amazonaws.com. */
export function serviceTrust(service: string): pulumi.Output<string> {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);
}

/** The cluster's OIDC issuer as IAM condition keys spell it: without the scheme. */
export function issuerHost(issuerUrl: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(issuerUrl).apply((url) => url.replace(/^https:\/\//, ""));
}

/**
 * IRSA trust: only this cluster's tokens (the OIDC provider), for STS (`aud`), and for exactly one
 * service account (`sub` = system:serviceaccount:<namespace>:<name>), never a wildcard.
 */
export function serviceAccountTrust(oidc: { arn: pulumi.Input<string>; issuerUrl: pulumi.Input<string> }, namespace: string, serviceAccount: string): pulumi.Output<string> {
  const host = issuerHost(oidc.issuerUrl);
  return pulumi.all([oidc.arn, host]).apply(([arn, issuer]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:aud`]: "sts.amazonaws.com",
              [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            },
          },
        },
      ],
    }),
  );
}

/** The ARN partition of a region: aws, aws-us-gov or aws-cn. */
export function partitionOf(region: string): string {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

/** An AWS-managed policy's ARN in the region's partition. */
export function managedPolicy(region: string, path: string): string {
  return `arn:${partitionOf(region)}:iam::aws:policy/${path}`;
}
