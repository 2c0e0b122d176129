// Every Kubeflow Pipelines image (ghcr.io/kubeflow/*, or a mirror of it) runs exactly the KFP release the
// kit is built for: KFP's components talk to each other and to the DB schema of that one release.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { refusedKfpVersions, releases } from "../../../modules/versions";
import { parsedImageUses, repositoryOf } from "../lib/images";
import { reporter } from "../lib/report";

const NAME = "kfp-images-pinned";
/** KFP's images live under `kubeflow/` on ghcr.io; a mirror keeps that path under its own host. */
const KFP_PATH = /(^|\/)kubeflow\/[^/]+$/;

export const kfpImagesPinned: ResourceValidationPolicy = {
  name: NAME,
  description: `Kubeflow Pipelines images must be exactly the KFP release (${releases.kfp.version}); known-bad versions are refused.`,
  severity: "critical",
  validateResource: (args, report) => {
    const violation = reporter(NAME, args, report);
    const expected = releases.kfp.version;
    for (const { image, ...use } of parsedImageUses(args.type, args.props)) {
      if (!image || !KFP_PATH.test(image.path)) continue;
      const version = image.tag?.replace(/^v/, "");
      const refused = version === undefined ? undefined : refusedKfpVersions[version];
      // Refused even when it is the release: the table's own release line may not name a refused version.
      if (image.tag === expected && !refused) continue;
      const problem =
        image.tag === undefined
          ? `${use.where} ${use.ref} has no tag, so nothing says which KFP release it is`
          : refused
            ? `${use.where} ${use.ref} is KFP ${version}, which is refused: ${refused}`
            : `${use.where} ${use.ref} is tagged ${image.tag}, not the KFP release ${expected}`;
      violation(
        problem,
        image.tag === expected
          ? "set releases.kfp in modules/versions.ts back to a release that is not refused"
          : `use ${repositoryOf(image)}:${expected} from the images table in modules/versions.ts (a digest may follow the tag)`,
      );
    }
  },
};
