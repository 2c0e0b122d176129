// A Helm release installs exactly one chart version from one named repository: a range or a local
// `helm repo` alias would make two `pulumi up` runs install different software.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { knobs, stringList } from "../lib/config";
import { EXACT_VERSION, helmChartOf } from "../lib/helm";
import { HELM_TYPES } from "../lib/k8s";
import { reporter } from "../lib/report";

const NAME = "helm-releases-pinned";

const config = knobs({
  allowedRepositories: stringList("Chart repository URL prefixes releases may use; empty allows any https:// or oci:// repository.", []),
});

export const helmReleasesPinned: ResourceValidationPolicy = {
  name: NAME,
  description: "Helm releases and charts must pin an exact chart version and name their repository.",
  severity: "high",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const helm = helmChartOf(args.type, args.props);
    if (!helm) {
      if (!HELM_TYPES.includes(args.type)) args.notApplicable(`only ${HELM_TYPES.join(" and ")}`);
      return;
    }
    if (helm.local) return;
    const { allowedRepositories } = config.read(args);
    const violation = reporter(NAME, args, report);
    if (!helm.version) violation(`chart ${helm.chart} has no version, so each install takes the newest`, "set version to an exact chart version");
    else if (!EXACT_VERSION.test(helm.version)) violation(`chart ${helm.chart} version ${helm.version} is a range, not one version`, "set version to an exact chart version (e.g. 1.2.3)");
    if (!helm.repository) {
      violation(`chart ${helm.chart} names no repository, so it resolves through whatever \`helm repo\` aliases the machine has`, "set repositoryOpts.repo to the chart repository URL (or use an oci:// chart URL)");
    } else if (!/^(https|oci):\/\//.test(helm.repository)) {
      violation(`chart repository ${helm.repository} is not https:// or oci://`, "use the repository's TLS URL");
    } else if (allowedRepositories.length > 0 && !allowedRepositories.some((prefix) => helm.repository!.startsWith(prefix))) {
      violation(`chart repository ${helm.repository} is not allowed (${allowedRepositories.join(", ")})`, "mirror the chart into an allowed repository or extend helm-releases-pinned.allowedRepositories");
    }
  },
};
