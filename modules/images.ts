// Image references, always built from the one versions table, optionally rewritten to a private
// mirror (air-gapped installs) and pinned by digest.
import { lockedDigest, readLock, type ImagesLock } from "./images-lock";
import { images, IMAGE_NAMES, type ImageName, type ImagePin } from "./versions";

export interface ImageSettings {
  /** Mirror registry (host[:port][/path]) that replaces each image's registry host. */
  readonly registry?: string;
  /** Content digests by image name; a digest pins the exact bytes, the tag stays for readability. */
  readonly digests?: Partial<Record<ImageName, string>>;
}

/** `repository:tag`, or `repository:tag@digest` when a digest is known. */
export function pinnedReference(pin: ImagePin, digest = pin.digest): string {
  return `${pin.repository}:${pin.tag}${digest ? `@${digest}` : ""}`;
}

/** Moves `registry/path` under a mirror: the original registry host is replaced, the path kept. */
export function mirrored(repository: string, registry: string): string {
  const path = repository.split("/").slice(1).join("/");
  return `${registry.replace(/\/+$/, "")}/${path}`;
}

/** The repository's lock, read once. */
let repositoryLock: ImagesLock | undefined;

export class ImageResolver {
  private readonly lock: ImagesLock;
  constructor(
    private readonly settings: ImageSettings = {},
    lock?: ImagesLock,
  ) {
    this.lock = lock ?? (repositoryLock ??= readLock());
  }

  /** The reference a pod pulls for one image of the table. */
  ref(name: ImageName): string {
    const pin: ImagePin = images[name];
    const repository = this.settings.registry ? mirrored(pin.repository, this.settings.registry) : pin.repository;
    return pinnedReference({ ...pin, repository }, this.settings.digests?.[name] ?? pin.digest ?? lockedDigest(this.lock, name, pin));
  }

  /** Every image of the table: where it comes from upstream and what this stack pulls. */
  all(): { name: ImageName; source: string; ref: string }[] {
    return IMAGE_NAMES.map((name) => ({ name, source: pinnedReference(images[name]), ref: this.ref(name) }));
  }
}
