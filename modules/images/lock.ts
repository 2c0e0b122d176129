// images.lock.json (repository root): the manifest digest each pinned tag had when someone with network
// ran `npm run images -- --resolve`. The image resolver adds a locked digest to a reference only while
// the lock names the same repository:tag as the versions table, so a changed pin never keeps a stale
// digest; `npm run images -- --check` reports tags whose digest moved (a re-tagged image).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ImageName, ImagePin } from "../versions";

export interface LockEntry {
  /** `repository:tag` as resolved. */
  readonly reference: string;
  /** `sha256:...`, the registry's Docker-Content-Digest for the tag. */
  readonly digest: string;
}
export type ImagesLock = Partial<Record<ImageName, LockEntry>>;

export const LOCK_FILE = join(__dirname, "..", "..", "images.lock.json");

export function readLock(file = LOCK_FILE): ImagesLock {
  if (!existsSync(file)) return {};
  const lock = JSON.parse(readFileSync(file, "utf8")) as ImagesLock;
  for (const [name, entry] of Object.entries(lock)) {
    if (!entry || !/^[^@\s/]+\/[^@\s]+:[^@/:\s]+$/.test(entry.reference) || !/^sha256:[0-9a-f]{64}$/.test(entry.digest)) {
      throw new Error(`${file}: entry ${name} needs a reference (registry/repository:tag) and a sha256 digest; rerun npm run images -- --resolve`);
    }
  }
  return lock;
}

/** The locked digest of a pin, when the lock was resolved for exactly this repository:tag. */
export function lockedDigest(lock: ImagesLock, name: ImageName, pin: ImagePin): string | undefined {
  const entry = lock[name];
  return entry && entry.reference === `${pin.repository}:${pin.tag}` ? entry.digest : undefined;
}
