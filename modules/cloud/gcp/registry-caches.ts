// Artifact Registry remote repositories as pull-through caches for every registry the kit's images come
// from (a custom upstream takes any registry speaking the Docker Registry API v2, so gcr.io and nvcr.io
// are cached too, which ECR cannot do), the node service account allowed to read them, and the routes
// the image resolver takes, known from config alone. @pulumi/gcp 9.37.0: remoteRepositoryConfig.
// commonRepository.uri (dockerRepository.customRepository is deprecated there).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ImageCache } from "../../images";
import { splitRegistry } from "../../images";
import { images, IMAGE_NAMES } from "../../versions";

/** Where each registry host's API lives (Docker Hub's is not the host references name). */
const UPSTREAM_URL: Readonly<Record<string, string>> = { "docker.io": "https://registry-1.docker.io" };

export interface ArCachePlan {
  /** One remote repository per upstream host. */
  readonly repositories: { readonly upstream: string; readonly repositoryId: string; readonly uri: string }[];
  readonly routes: ImageCache[];
}

/** The repositories and routes a GCP stack's config implies: every registry the table uses. */
export function arCachePlan(settings: { project: string; region: string; clusterName: string; enabled: boolean }): ArCachePlan {
  if (!settings.enabled) return { repositories: [], routes: [] };
  const hosts = [...new Set(IMAGE_NAMES.filter((n) => (images[n] as { onlyOn?: string }).onlyOn !== "aws").map((n) => splitRegistry(images[n].repository).host))];
  const repositories = hosts.map((upstream) => ({
    upstream,
    // Repository ids: lowercase letters, digits and hyphens, up to 63.
    repositoryId: `${settings.clusterName}-${upstream.replace(/[^a-z0-9]+/g, "-")}`.slice(0, 63),
    uri: UPSTREAM_URL[upstream] ?? `https://${upstream}`,
  }));
  const host = `${settings.region}-docker.pkg.dev/${settings.project}`;
  return { repositories, routes: repositories.map((r) => ({ upstream: r.upstream, address: `${host}/${r.repositoryId}` })) };
}

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
