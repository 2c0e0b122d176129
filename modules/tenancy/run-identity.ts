// KFP 2.14.0 lets whoever creates a run name its ServiceAccount (run_server.go and job_server.go check
// nothing; 2.18.0's release notes add the check). In a team namespace every Workflow must therefore run as
// default-editor, the one account the kit grants run rights: a ValidatingAdmissionPolicy (GA since
// Kubernetes 1.30) refuses any other, on the Workflow and on each template, in namespaces labelled as a
// team's. A podSpecPatch that names a ServiceAccount is refused as well (KFP's own patches set resources).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { kitMeta } from "../k8s/metadata";
import { RUNNER_SA } from "../kfp/multi-user/mode";
import { TEAM_LABEL } from "./team";

export const RUN_IDENTITY_POLICY = "kfp-team-run-identity";

/** The CEL rules, each with the message the API server returns when it fails. */
export const RUN_IDENTITY_RULES = [
  {
    expression: `has(object.spec.serviceAccountName) && object.spec.serviceAccountName == '${RUNNER_SA}'`,
    message: `Workflows in team namespaces run as ${RUNNER_SA}: set no other service account (KFP sets it for every run)`,
  },
  {
    expression: `!has(object.spec.executor) || !has(object.spec.executor.serviceAccountName) || object.spec.executor.serviceAccountName == '${RUNNER_SA}'`,
    message: `the executor's service account in a team namespace must be ${RUNNER_SA}`,
  },
  {
    expression: `!has(object.spec.templates) || object.spec.templates.all(t, !has(t.serviceAccountName) || t.serviceAccountName == '${RUNNER_SA}')`,
    message: `no template in a team namespace may run as another service account than ${RUNNER_SA}`,
  },
  {
    expression: `!has(object.spec.templates) || object.spec.templates.all(t, !has(t.podSpecPatch) || !t.podSpecPatch.contains('serviceAccount'))`,
    message: "a podSpecPatch in a team namespace may not change the service account",
  },
] as const;

export function runIdentityPolicy(prefix: string, opts: pulumi.CustomResourceOptions) {
  const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
    `${prefix}-policy`,
    {
      metadata: kitMeta(RUN_IDENTITY_POLICY, undefined),
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [{ apiGroups: ["argoproj.io"], apiVersions: ["v1alpha1"], operations: ["CREATE", "UPDATE"], resources: ["workflows"] }],
          namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] },
        },
        validations: RUN_IDENTITY_RULES.map((r) => ({ ...r })),
      },
    },
    opts,
  );
  new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
    `${prefix}-binding`,
    { metadata: kitMeta(RUN_IDENTITY_POLICY, undefined), spec: { policyName: policy.metadata.name, validationActions: ["Deny"] } },
    opts,
  );
  return policy;
}
