// Every image a cluster pulls has an explicit, non-floating tag from an allowed registry, so a rebuild
// pulls the same bits and an air-gapped mirror knows what to carry.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { images } from "../../../modules/versions";
import { knobs, stringList } from "../lib/config";
import { floatingTagReason, parsedImageUses } from "../lib/images";
import { FLOATING_TAGS, MIN_VERSION_PARTS } from "../../../modules/config/image-tags";
import { reporter } from "../lib/report";

const NAME = "images-pinned";

/** The registries the versions table pulls from: the allow-list unless config names a mirror. */
const TABLE_REGISTRIES = [...new Set(Object.values(images).map((pin) => pin.repository.split("/")[0]))].sort();
/** Private registries of the clouds' caches: ECR (the AWS foundation's pull-through caches and mirror copies) and Artifact Registry (the GCP foundation's remote repositories). */
const ECR_PRIVATE = ["*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn", "*-docker.pkg.dev"];

/** An allow-list entry is a host, or a pattern whose `*` stands for one DNS label (`*.dkr.ecr.*.amazonaws.com`). */
export function registryAllowed(registry: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) =>
    entry.includes("*") ? new RegExp(`^${entry.split("*").map((part) => part.replace(/[.]/g, "\\.")).join("[a-z0-9-]+")}$`).test(registry) : entry === registry,
  );
}

const config = knobs({
  allowedRegistries: stringList("Registry hosts images may come from; `*` matches one DNS label (a private mirror replaces the list).", [...TABLE_REGISTRIES, ...ECR_PRIVATE]),
  floatingTags: stringList("Tags that move and so pin nothing.", [...FLOATING_TAGS]),
  minVersionParts: {
    type: "integer",
    minimum: 1,
    maximum: 4,
    description: "Numeric parts a version tag needs to pin one release (3: 8.4.6 pins, 8.4 moves); a digest after the tag pins whatever the tag.",
    default: MIN_VERSION_PARTS,
  },
  requireExplicitRegistry: {
    type: "boolean",
    description: "Refuse references that leave the registry implied (Docker Hub).",
    default: true,
  },
});

export const imagesPinned: ResourceValidationPolicy = {
  name: NAME,
  description: "Images must name their registry (from the allow-list) and an exact tag; no latest, no version prefix such as 8.4 without a digest, no missing tag.",
  severity: "high",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const { allowedRegistries, floatingTags, minVersionParts, requireExplicitRegistry } = config.read(args);
    const violation = reporter(NAME, args, report);
    for (const { image, ...use } of parsedImageUses(args.type, args.props)) {
      const at = `${use.where} ${use.ref}`;
      if (!image) {
        violation(`${at} is not a valid image reference`, "write registry/repository:tag");
        continue;
      }
      if (image.tag === undefined && image.digest === undefined) violation(`${at} has no tag, so it pulls whatever latest is today`, "pin an exact version tag from modules/versions.ts");
      else if (image.tag !== undefined && image.digest === undefined) {
        const floating = floatingTagReason(image.tag, floatingTags, minVersionParts);
        if (floating) violation(`${at} uses ${floating}`, "pin an exact version tag (or add the digest) in modules/versions.ts");
      }
      if (requireExplicitRegistry && !image.explicitRegistry) violation(`${at} leaves the registry implied`, `spell it out (docker.io/${image.path})`);
      else if (!registryAllowed(image.registry, allowedRegistries)) {
        violation(`${at} comes from ${image.registry}, which is not an allowed registry (${allowedRegistries.join(", ")})`, "pull it through an allowed registry or add the registry to images-pinned.allowedRegistries in the policy config");
      }
    }
  },
};
