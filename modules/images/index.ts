// Image references, always built from the one versions table, optionally routed through the
// foundation's registry caches or a private mirror (air-gapped installs), and pinned by digest.
import { lockedDigest, readLock, type ImagesLock } from "./lock";
import { images, IMAGE_NAMES, type ImageName, type ImagePin } from "../versions";

export interface ImageSettings {
  /** Mirror registry (host[:port][/path]) that replaces each image's registry host. */
  readonly registry?: string;
  /** Content digests by image name; a digest pins the exact bytes, the tag stays for readability. */
  readonly digests?: Partial<Record<ImageName, string>>;
}

/** A registry cache the foundation runs: pulls of `upstream/<path>` go to `address/<path>` instead. */
export interface ImageCache {
  /** Registry host as image references spell it (`quay.io`, `docker.io`). */
  readonly upstream: string;
  /** Where the same path is pulled through the cache (`<account>.dkr.ecr.<region>.amazonaws.com/quay`). */
  readonly address: string;
}

/** The table's images a target can run (a cloud's caches leave out what it never runs, e.g. the Cloud SQL proxy on AWS). */
export function imagesOn(target: "aws" | "gcp" | "existing"): ImageName[] {
  return IMAGE_NAMES.filter((name) => (images[name] as ImagePin).onlyOn?.includes(target) ?? true);
}

/** `repository:tag`, or `repository:tag@digest` when a digest is known. */
export function pinnedReference(pin: ImagePin, digest = pin.digest): string {
  return `${pin.repository}:${pin.tag}${digest ? `@${digest}` : ""}`;
}

/** The registry host of a fully qualified reference, and the rest. */
export function splitRegistry(reference: string): { host: string; path: string } {
  const slash = reference.indexOf("/");
  return { host: reference.slice(0, slash), path: reference.slice(slash + 1) };
}

/** Moves `registry/path` under a mirror: the original registry host is replaced, the path kept. */
export function mirrored(repository: string, registry: string): string {
  return `${registry.replace(/\/+$/, "")}/${splitRegistry(repository).path}`;
}

/** The repository's lock, read once. */
let repositoryLock: ImagesLock | undefined;

export class ImageResolver {
  private readonly lock: ImagesLock;
  private readonly caches: ReadonlyMap<string, string>;
  constructor(
    private readonly settings: ImageSettings = {},
    lock?: ImagesLock,
    caches: readonly ImageCache[] = [],
  ) {
    this.lock = lock ?? (repositoryLock ??= readLock());
    this.caches = new Map(caches.map((c) => [c.upstream, c.address]));
  }

  /** The reference a pod pulls for one image of the table. */
  ref(name: ImageName): string {
    const { repository, version } = this.pinned(name);
    return `${repository}:${version}`;
  }

  /**
   * One image of the table as `repository` (routed like ref()) and `version`: the tag, with `@digest`
   * when one is known (what pinnedReference() writes after the colon), for charts that compose
   * `repository:version` themselves (the GPU Operator's).
   */
  pinned(name: ImageName): { repository: string; version: string } {
    const pin: ImagePin = images[name];
    const reference = pinnedReference(pin, this.digestOf(name));
    return { repository: this.route(pin.repository), version: reference.slice(pin.repository.length + 1) };
  }

  /**
   * Where a pod pulls a fully qualified reference from: the mirror when one is set (it holds
   * everything), else the cache of the reference's registry, else the registry itself. The path, tag
   * and digest stay: a pull-through cache serves the upstream manifest, so the digest still matches.
   */
  route(reference: string): string {
    if (this.settings.registry) return mirrored(reference, this.settings.registry);
    const { host, path } = splitRegistry(reference);
    const cache = this.caches.get(host);
    return cache ? `${cache}/${path}` : reference;
  }

  /** The content digest pinned for one image (stack config, the table, or the lock), if any. */
  digestOf(name: ImageName): string | undefined {
    const pin: ImagePin = images[name];
    return this.settings.digests?.[name] ?? pin.digest ?? lockedDigest(this.lock, name, pin);
  }

  /**
   * A table image as Helm charts take it (`registry`, `repository`, `tag`), routed like ref(): the
   * registry value carries the mirror or cache address. With a digest known, the key the chart reads it
   * from, in the form it takes (charts differ; `digestKey`): `sha` as bare hex (kube-prometheus-stack's own
   * images and Grafana's, which add "@sha256:" themselves), `sha` with its "sha256:" (kube-state-metrics),
   * or `digest` (prometheus-node-exporter, which refuses `sha`).
   */
  chartImage(name: ImageName, digestKey: "sha-hex" | "sha" | "digest" = "sha-hex"): { registry: string; repository: string; tag: string; sha?: string; digest?: string } {
    const pin: ImagePin = images[name];
    const { host, path } = splitRegistry(pin.repository);
    const routed = splitRegistry(this.route(`${pin.repository}:${pin.tag}`));
    // The route keeps the path: whatever precedes it is the registry the chart prefixes.
    const registry = `${routed.host}/${routed.path}`.slice(0, -(path.length + pin.tag.length + 2));
    const digest = this.digestOf(name);
    const pinnedBy = !digest ? {} : digestKey === "digest" ? { digest } : { sha: digestKey === "sha-hex" ? digest.replace(/^sha256:/, "") : digest };
    return { registry: registry || host, repository: path, tag: pin.tag, ...pinnedBy };
  }

  /** Whether pulls of this reference go through one of the foundation's caches. */
  cached(reference: string): boolean {
    return !this.settings.registry && this.caches.has(splitRegistry(reference).host);
  }

  /** Every image of the table: where it comes from upstream and what this stack pulls. */
  all(): { name: ImageName; source: string; ref: string }[] {
    return IMAGE_NAMES.map((name) => ({ name, source: pinnedReference(images[name]), ref: this.ref(name) }));
  }
}
