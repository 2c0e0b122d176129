// A tag can be re-pushed; a digest cannot. Advisory: the versions table pins tags today, and a digest
// is recorded there (ImagePin.digest) once an image has been mirrored and verified.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parsedImageUses } from "../lib/images";
import { reporter } from "../lib/report";

const NAME = "image-digests";

export const imageDigests: ResourceValidationPolicy = {
  name: NAME,
  description: "Images should carry a content digest (repository:tag@sha256:...).",
  enforcementLevel: "advisory",
  severity: "low",
  validateResource: (args, report) => {
    const undigested = parsedImageUses(args.type, args.props).filter((use) => use.image && !use.image.digest);
    if (undigested.length === 0) return;
    reporter(NAME, args, report)(
      `${undigested.map((use) => use.ref).filter((ref, i, all) => all.indexOf(ref) === i).join(", ")} pinned by tag only`,
      "record the digest in the image's entry in modules/versions.ts (ImagePin.digest)",
    );
  },
};
