// Violation messages: the policy, the resource, what is wrong and the fix, in one line.
import type { ReportViolation } from "@pulumi/policy";

export type Props = Record<string, any>;

/** `Deployment kubeflow/mysql` for Kubernetes objects, `<type> <name>` for everything else. */
export function subject(type: string, props: Props, name: string): string {
  if (!type.startsWith("kubernetes:")) return `${type} ${name}`;
  const kind = typeof props.kind === "string" ? props.kind : type.split(":").pop();
  const meta = props.metadata ?? {};
  const objectName = typeof meta.name === "string" ? meta.name : name;
  return `${kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${objectName}`;
}

export function message(policy: string, what: string, problem: string, fix: string): string {
  return `[${policy}] ${what}: ${problem}. Fix: ${fix}.`;
}

/** A reporter bound to one policy and one resource. */
export function reporter(policy: string, resource: { type: string; props: Props; name: string; urn?: string }, report: ReportViolation) {
  const what = subject(resource.type, resource.props, resource.name);
  return (problem: string, fix: string) => report(message(policy, what, problem, fix), resource.urn);
}
