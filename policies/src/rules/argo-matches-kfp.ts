// Argo's controller and executor run the version KFP ships with: KFP compiles workflows for that Argo,
// and an executor that differs from its controller breaks every pipeline step.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { releases } from "../../../modules/versions";
import { parsedImageUses, repositoryOf } from "../lib/images";
import { reporter } from "../lib/report";

const NAME = "argo-matches-kfp";
const ARGO_PATH = /(^|\/)argoproj\/(workflow-controller|argoexec)$/;

export const argoMatchesKfp: ResourceValidationPolicy = {
  name: NAME,
  description: `Argo's workflow-controller and argoexec images must be ${releases.argo.version}, the Argo KFP ${releases.kfp.version} ships.`,
  severity: "critical",
  validateResource: (args, report) => {
    const violation = reporter(NAME, args, report);
    const expected = releases.argo.version;
    for (const { image, ...use } of parsedImageUses(args.type, args.props)) {
      const component = image && ARGO_PATH.exec(image.path)?.[2];
      if (use.executor && component !== "argoexec") {
        violation(`the Argo executor is set by ${use.where} to ${use.ref}, which is not argoexec`, `set it to argoexec ${expected} (images.argoExec in modules/versions.ts)`);
      } else if (component && image.tag !== expected) {
        violation(`${use.where} ${use.ref} is ${image.tag ? `tagged ${image.tag}` : "untagged"}, not Argo ${expected}`, `use ${repositoryOf(image)}:${expected} from the images table in modules/versions.ts`);
      }
    }
  },
};
