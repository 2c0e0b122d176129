// Where a GCP stack's images come from once Artifact Registry caches them: a remote repository per
// registry the kit's images come from (a custom upstream takes any registry speaking the Docker Registry
// API v2, so gcr.io and nvcr.io are cached too, which ECR cannot do) and the routes the image resolver
// takes. Arithmetic on the stack config alone (no resources).
import type { StackConfig } from "../config/schema";
import type { ImageCache } from "./index";
import { imagesOn, splitRegistry } from "./index";
import { images } from "../versions";

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
  const hosts = [...new Set(imagesOn("gcp").map((n) => splitRegistry(images[n].repository).host))];
  const repositories = hosts.map((upstream) => ({
    upstream,
    // Repository ids: lowercase letters, digits and hyphens, up to 63.
    repositoryId: `${settings.clusterName}-${upstream.replace(/[^a-z0-9]+/g, "-")}`.slice(0, 63),
    uri: UPSTREAM_URL[upstream] ?? `https://${upstream}`,
  }));
  const host = `${settings.region}-docker.pkg.dev/${settings.project}`;
  return { repositories, routes: repositories.map((r) => ({ upstream: r.upstream, address: `${host}/${r.repositoryId}` })) };
}

/** Where a GCP stack's images come from through Artifact Registry: known from the config, before anything exists. */
export function gcpImageCaches(config: Extract<StackConfig["cluster"], { target: "gcp" }>): ArCachePlan {
  return arCachePlan({ project: config.project, region: config.region, clusterName: config.name, enabled: config.imageCaches.enabled });
}
