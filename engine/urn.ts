// Engine-style URNs. The mock monitor prefixes only the parent's last type segment and includes the
// root stack type; the real engine (pkg/resource/deploy/deployment.go generateURN) qualifies a child
// with the parent's full qualified type and never with the root stack's. Policies, out/ files and
// diffs compare URNs, so ours must be the engine's.

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export function engineUrn(stack: string, project: string, type: string, name: string, parentUrn?: string): string {
  let qualified = type;
  if (parentUrn) {
    const parentQualified = parentUrn.split("::")[2];
    const parentType = parentQualified.split("$").pop();
    if (parentType !== ROOT_STACK_TYPE) qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
