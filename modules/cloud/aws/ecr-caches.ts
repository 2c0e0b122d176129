// Which registries Amazon ECR can cache, and where a stack's images come from once it does. Pure
// facts and arithmetic on the stack config (no resources), so the config schema, the image resolver
// and the foundation read one table. Sources: ECR user guide "Sync an upstream registry with an Amazon
// ECR private registry" and the CreatePullThroughCacheRule API model (botocore ecr service-2.json:
// UpstreamRegistry enum, CredentialArn and PullThroughCacheRuleRepositoryPrefix shapes).
import type { ImageCache } from "../../images";
import { splitRegistry } from "../../images";
import { images, IMAGE_NAMES, type ImageName } from "../../versions";

export interface EcrUpstream {
  /** `upstreamRegistryUrl` of the rule (Docker Hub's API host is not the host references name). */
  readonly url: string;
  /** Path segment of the rule's `ecrRepositoryPrefix` under the stack's prefix. */
  readonly segment: string;
  /** Whether ECR needs a Secrets Manager secret (`username`, `accessToken`) to pull from it. */
  readonly credentials: boolean;
}

/** Upstreams the kit's images use that ECR caches, keyed by the host image references spell. gcr.io and nvcr.io are not in ECR's list. */
export const ECR_UPSTREAMS: Readonly<Record<string, EcrUpstream>> = {
  "public.ecr.aws": { url: "public.ecr.aws", segment: "ecr-public", credentials: false },
  "registry.k8s.io": { url: "registry.k8s.io", segment: "k8s", credentials: false },
  "quay.io": { url: "quay.io", segment: "quay", credentials: false },
  "docker.io": { url: "registry-1.docker.io", segment: "docker-hub", credentials: true },
  "ghcr.io": { url: "ghcr.io", segment: "ghcr", credentials: true },
};

/** Upstream hosts whose rule needs a credential secret. */
export const CREDENTIALED_UPSTREAMS = Object.keys(ECR_UPSTREAMS).filter((h) => ECR_UPSTREAMS[h].credentials) as [string, ...string[]];

/** ECR rejects pull-through rules in these regions (user guide, considerations). */
export const NO_PULL_THROUGH_REGION = /^(cn-|us-gov-)/;

/** The rule prefix limit of the API (PullThroughCacheRuleRepositoryPrefix: 2-30 characters). */
export const MAX_PREFIX_LENGTH = 30;

/** Segment under the stack's prefix that holds copies of images no rule can cache. */
export const MIRROR_SEGMENT = "mirror";

/** The longest prefix the kit composes, for the schema's length check. */
export const longestPrefix = (stackPrefix: string): string =>
  [...Object.values(ECR_UPSTREAMS).map((u) => u.segment), MIRROR_SEGMENT].map((s) => `${stackPrefix}/${s}`).sort((a, b) => b.length - a.length)[0];

export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

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

/** The table's images an AWS stack can run (not another cloud's own, such as the Cloud SQL proxy). */
const awsImages = (): ImageName[] => IMAGE_NAMES.filter((n) => (images[n] as { onlyOn?: string }).onlyOn !== "gcp");
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
