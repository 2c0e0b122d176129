// Artifact Registry remote repositories as pull-through caches, one per repository the plan names
// (modules/images/artifact-registry-caches.ts), and the node service account allowed to read them.
// @pulumi/gcp 9.37.0: remoteRepositoryConfig.commonRepository.uri (dockerRepository.customRepository is
// deprecated there).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ArCachePlan } from "../../images/artifact-registry-caches";

export interface ArtifactRegistryCachesArgs {
  readonly plan: ArCachePlan;
  readonly region: string;
  /** The node service account's e-mail: kubelet pulls with it. */
  readonly nodeServiceAccount: pulumi.Input<string>;
  readonly provider: gcp.Provider;
}

export class ArtifactRegistryCaches extends pulumi.ComponentResource {
  /** What must exist before a node pulls through a cache. */
  readonly readyResources: pulumi.Resource[] = [];

  constructor(name: string, args: ArtifactRegistryCachesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gcp:ArtifactRegistryCaches", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    for (const r of args.plan.repositories) {
      const repository = new gcp.artifactregistry.Repository(
        `${name}-${r.repositoryId}`,
        {
          repositoryId: r.repositoryId,
          location: args.region,
          format: "DOCKER",
          mode: "REMOTE_REPOSITORY",
          description: `Pull-through cache of ${r.upstream}`,
          remoteRepositoryConfig: { description: r.upstream, commonRepository: { uri: r.uri } },
        },
        child,
      );
      const reader = new gcp.artifactregistry.RepositoryIamMember(
        `${name}-${r.repositoryId}-nodes`,
        { repository: repository.name, location: args.region, role: "roles/artifactregistry.reader", member: pulumi.interpolate`serviceAccount:${args.nodeServiceAccount}` },
        child,
      );
      this.readyResources.push(repository, reader);
    }
    this.registerOutputs({ repositories: args.plan.repositories.map((r) => r.repositoryId) });
  }
}
