// ECR pull-through caches for the registries the kit's images come from, repositories for copies of
// the images no rule can cache, and the node role's right to fill them. What they are follows from the
// config alone (modules/images/ecr-caches.ts), so the image resolver knows every address before anything exists.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecrCachePlan, type EcrCachePlan, type EcrCacheSettings } from "../../images/ecr-caches";
import { partitionOf, policyDocument } from "./iam";

export interface EcrImageCachesArgs {
  readonly settings: EcrCacheSettings;
  /** Name of the node role that pulls (kubelet uses the instance profile). */
  readonly nodeRoleName: pulumi.Input<string>;
  readonly provider: aws.Provider;
}

export class EcrImageCaches extends pulumi.ComponentResource {
  readonly plan: EcrCachePlan;
  /** What must exist before a node pulls through a cache: the rules and the node role's permission. */
  readonly readyResources: pulumi.Resource[];

  constructor(name: string, args: EcrImageCachesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:EcrImageCaches", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const { accountId, region } = args.settings;
    this.plan = ecrCachePlan(args.settings);

    const rules = this.plan.rules.map(
      (rule) =>
        new aws.ecr.PullThroughCacheRule(
          `${name}-${rule.upstream.replace(/\./g, "-")}`,
          { ecrRepositoryPrefix: rule.prefix, upstreamRegistryUrl: rule.url, ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}) },
          child,
        ),
    );
    // Targets of the copy commands: immutable tags (a copy is never silently replaced) and scanned.
    for (const image of this.plan.uncached) {
      new aws.ecr.Repository(
        `${name}-mirror-${image.name}`,
        {
          name: image.repositoryName,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "AES256" }],
          forceDelete: false,
        },
        child,
      );
    }

    // The first pull of a cached repository creates it and imports the image as the puller: the node
    // role needs both, on exactly this stack's cache prefixes (ECR user guide, pull-through IAM).
    const repositories = this.plan.rules.map((r) => `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${r.prefix}/*`);
    const policies =
      repositories.length > 0
        ? [
            new aws.iam.RolePolicy(
              `${name}-node-pull-through`,
              {
                role: args.nodeRoleName,
                policy: policyDocument([{ Sid: "FillPullThroughCaches", Effect: "Allow", Action: ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"], Resource: repositories }]),
              },
              child,
            ),
          ]
        : [];
    this.readyResources = [...rules, ...policies];
    this.registerOutputs({ registry: this.plan.registryHost, rules: this.plan.rules.map((r) => r.prefix) });
  }
}
