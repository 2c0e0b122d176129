// Resolving and checking images.lock.json against the registries (npm run images -- --resolve/--check).
import { writeFileSync } from "node:fs";
import { readLock, type ImagesLock, type LockEntry } from "../modules/images/lock";
import { images, IMAGE_NAMES, type ImageName, type ImagePin } from "../modules/versions";
import { manifestDigest } from "./registry";

export interface LockOptions {
  /** Registry host -> API base URL (a test registry, a mirror). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** The pins to resolve; the versions table by default. */
  readonly pins?: Readonly<Partial<Record<ImageName, ImagePin>>>;
}

const pinsOf = (options: LockOptions) => options.pins ?? (Object.fromEntries(IMAGE_NAMES.map((n) => [n, images[n]])) as Record<ImageName, ImagePin>);
const referenceOf = (pin: ImagePin) => `${pin.repository}:${pin.tag}`;

/** Asks each registry for every pin's digest and writes the lock; returns one line per image. */
export async function resolveLock(file: string, options: LockOptions = {}): Promise<string[]> {
  const lock: ImagesLock = {};
  const lines: string[] = [];
  for (const [name, pin] of Object.entries(pinsOf(options)) as [ImageName, ImagePin][]) {
    const entry: LockEntry = { reference: referenceOf(pin), digest: await manifestDigest(referenceOf(pin), options.overrides) };
    lock[name] = entry;
    lines.push(`${entry.reference}@${entry.digest}`);
  }
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  return lines;
}

/** One line per pin whose lock entry is missing, stale (another tag) or whose tag now names other bytes. */
export async function checkLock(file: string, options: LockOptions = {}): Promise<string[]> {
  const lock = readLock(file);
  const problems: string[] = [];
  for (const [name, pin] of Object.entries(pinsOf(options)) as [ImageName, ImagePin][]) {
    const entry = lock[name];
    const reference = referenceOf(pin);
    if (!entry || entry.reference !== reference) {
      problems.push(`${name}: ${reference} is not in ${file}${entry ? ` (it holds ${entry.reference})` : ""}. Fix: npm run images -- --resolve`);
      continue;
    }
    const now = await manifestDigest(reference, options.overrides);
    if (now !== entry.digest) {
      problems.push(`${name}: ${reference} moved: locked ${entry.digest}, the registry now serves ${now} (the tag was re-pushed). Fix: check the new image, then npm run images -- --resolve`);
    }
  }
  return problems;
}
