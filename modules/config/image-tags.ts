// Which image tags pin a release: the rule the images-pinned policy judges every planned image by, here so
// the config schema refuses a floating tag in an image the stack file declares (naming its key) before the
// policy would refuse the rendered object.

/** Tags that track a branch, not a release (the images-pinned policy's default floatingTags). */
export const FLOATING_TAGS = ["latest", "stable", "main", "master", "edge", "nightly", "dev"] as const;
/** Numeric parts a version tag needs to pin one release (the policy's default minVersionParts). */
export const MIN_VERSION_PARTS = 3;

/**
 * Why a tag pins nothing, or undefined when it names one release. A tag moves when it is a name that
 * tracks a branch (`latest`, `stable`...), or a version prefix: a version with fewer than
 * `minComponents` numeric parts (`8.4`, `1.36`, `v3`, `3-alpine`), which registries re-point at every
 * patch release. Date stamps (`20260714`, `RELEASE.2019-08-14T20-37-41Z`) and versions with enough parts
 * (`8.4.6`, `v1.35.2`, `4.6.0-4.8.3-distroless`) pin.
 */
export function floatingTagReason(tag: string, floatingNames: readonly string[], minComponents: number): string | undefined {
  if (floatingNames.includes(tag)) return `the floating tag ${tag}`;
  const version = /^v?(\d+(?:\.\d+)*)(?=$|[-_+])/.exec(tag);
  if (!version) return undefined;
  const parts = version[1].split(".");
  // One long number is a date or build stamp, not a major version.
  if (parts.length === 1 && parts[0].length >= 8) return undefined;
  if (parts.length < minComponents) return `the version prefix ${tag} (${parts.length} of ${minComponents} version parts), which moves with every patch release`;
  return undefined;
}

