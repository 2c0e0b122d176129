// No team subject (a user, group or service account bound or living in a team namespace) and no step
// identity (the account KFP's step pods run as) may reach rights equivalent to cluster-admin, or any right
// in another team's namespace, by any chain of steps RBAC allows: the paths engine/access computes from
// the stack's Kubernetes objects (`npm run access -- <stack>` prints them all), with what counts as
// cluster-admin equivalent listed in engine/access/index.ts.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { accessReport, type PlanObject } from "../../../engine/access";
import { formatPath } from "../../../engine/access/format";
import { principalKey } from "../../../engine/access/model";
import { knobs } from "../lib/config";
import { HELM_TYPES } from "../lib/k8s";
import { message } from "../lib/report";

const NAME = "team-escalation";

const config = knobs({
  teamLabel: { type: "string", minLength: 1, description: "Label that marks a namespace as a team's.", default: "kfp-platform/team" },
});

/** The stack's Kubernetes objects as the API server would get them (kind from the type when the inputs lack it). */
function planObjects(resources: PolicyResource[]): PlanObject[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:") && !HELM_TYPES.includes(r.type) && r.props?.metadata)
    .map((r) => ({ urn: r.urn, object: { kind: r.type.split(":").pop(), ...r.props } }));
}

export const teamEscalation: StackValidationPolicy = {
  name: NAME,
  description: "No path from a team subject or a KFP step identity to cluster-admin-equivalent rights or into another team's namespace (RBAC evaluated over the stack's objects, chains followed).",
  severity: "critical",
  configSchema: config.configSchema,
  validateStack: (args, report) => {
    const knob = config.read(args);
    const found = accessReport(planObjects(args.resources), { teamLabel: knob.teamLabel });
    for (const finding of found.forbidden) {
      const steps = formatPath(finding.path, "").join("; ");
      report(
        message(
          NAME,
          principalKey(finding.path.start),
          `${finding.reason}: ${steps}`,
          "remove the binding or rule behind the decisive step (or the account a team can become); `npm run access -- <stack>` prints every path",
        ),
        finding.grant?.urn,
      );
    }
  },
};
