// Where an AWS stack's images come from once ECR caches them: the pull-through rules, the mirror
// repositories for what no rule serves, and the routes the image resolver takes. Arithmetic on the stack
// config alone (no resources), so every image reference is final before anything exists.
import type { ImageCache } from "./index";
import { imagesOn, splitRegistry } from "./index";
import { images, type ImageName } from "../versions";
import type { StackConfig } from "../config/schema";
import { ECR_UPSTREAMS, ecrRegistryHost, MIRROR_SEGMENT } from "../facts/ecr";

export interface EcrCacheSettings {
  readonly accountId: string;
  readonly region: string;
  readonly imageCaches: {
    readonly enabled: boolean;
    readonly prefix: string;
    readonly credentials: Readonly<Partial<Record<string, string>>>;
    readonly mirrorUncached: boolean;
  };
}

/** A pull-through rule the stack creates. */
export interface PlannedRule {
  readonly upstream: string;
  readonly prefix: string;
  readonly url: string;
  readonly credentialArn?: string;
}

/** A table image no rule caches: mirrored by copying into `target` (a repository the kit creates). */
export interface UncachedImage {
  readonly name: ImageName;
  readonly source: string;
  /** Repository (no tag) the copy goes to. */
  readonly target: string;
  /** ECR repository name of the target. */
  readonly repositoryName: string;
  readonly reason: string;
}

export interface EcrCachePlan {
  readonly registryHost: string;
  readonly rules: PlannedRule[];
  readonly uncached: UncachedImage[];
  /** What the image resolver routes: rules always, mirror copies once `mirrorUncached` is set. */
  readonly routes: ImageCache[];
}

/** The table's images an AWS stack can run (not the Cloud SQL proxy, nor the GPU Operator's, which EKS never runs). */
const awsImages = (): ImageName[] => imagesOn("aws");
/** Registry hosts those images come from, in table order. */
const tableHosts = (): string[] => [...new Set(awsImages().map((n) => splitRegistry(images[n].repository).host))];

/** The rules, mirror repositories and routes one stack's config implies. */
export function ecrCachePlan(settings: EcrCacheSettings): EcrCachePlan {
  const { imageCaches: c } = settings;
  const registryHost = ecrRegistryHost(settings.accountId, settings.region);
  if (!c.enabled) return { registryHost, rules: [], uncached: [], routes: [] };
  const rules: PlannedRule[] = [];
  for (const host of tableHosts()) {
    const upstream = ECR_UPSTREAMS[host];
    if (!upstream || (upstream.credentials && !c.credentials[host])) continue;
    rules.push({ upstream: host, prefix: `${c.prefix}/${upstream.segment}`, url: upstream.url, credentialArn: upstream.credentials ? c.credentials[host] : undefined });
  }
  const ruled = new Set(rules.map((r) => r.upstream));
  const uncached = awsImages().filter((name) => !ruled.has(splitRegistry(images[name].repository).host)).map((name): UncachedImage => {
    const { host, path } = splitRegistry(images[name].repository);
    const repositoryName = `${c.prefix}/${MIRROR_SEGMENT}/${host}/${path}`;
    return {
      name,
      source: `${images[name].repository}:${images[name].tag}`,
      target: `${registryHost}/${repositoryName}`,
      repositoryName,
      reason: ECR_UPSTREAMS[host] ? `ECR caches ${host} only with credentials: set cluster.imageCaches.credentials["${host}"]` : `ECR cannot cache ${host}`,
    };
  });
  const mirroredHosts = c.mirrorUncached ? [...new Set(uncached.map((u) => splitRegistry(u.source).host))] : [];
  const routes: ImageCache[] = [
    ...rules.map((r) => ({ upstream: r.upstream, address: `${registryHost}/${r.prefix}` })),
    ...mirroredHosts.map((host) => ({ upstream: host, address: `${registryHost}/${c.prefix}/${MIRROR_SEGMENT}/${host}` })),
  ];
  return { registryHost, rules, uncached, routes };
}

/** The command that copies one image, every platform of it, into its mirror repository. */
export function copyCommand(image: UncachedImage): string {
  const tag = image.source.slice(image.source.lastIndexOf(":") + 1);
  return `skopeo copy --all docker://${image.source} docker://${image.target}:${tag}`;
}

/** The stack's ECR caches as the config sets them (the prefix defaults to the cluster name). */
export function ecrCacheSettings(config: Extract<StackConfig["cluster"], { target: "aws" }>): EcrCacheSettings {
  return { accountId: config.accountId, region: config.region, imageCaches: { ...config.imageCaches, prefix: config.imageCaches.prefix ?? config.name } };
}

/** Where an AWS stack's images come from through ECR: known from the config, before anything exists. */
export function awsImageCaches(config: Extract<StackConfig["cluster"], { target: "aws" }>): EcrCachePlan {
  return ecrCachePlan(ecrCacheSettings(config));
}
