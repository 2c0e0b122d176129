// Which registries Amazon ECR can cache, and the limits of its API: facts the config schema checks
// against and the cache plan (modules/images/ecr-caches.ts) builds from. Sources: ECR user guide "Sync an
// upstream registry with an Amazon ECR private registry" and the CreatePullThroughCacheRule API model (botocore ecr service-2.json:
// UpstreamRegistry enum, CredentialArn and PullThroughCacheRuleRepositoryPrefix shapes).
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

