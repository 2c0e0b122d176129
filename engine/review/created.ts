// What a plan creates, by name, for a reviewer: grouped by the top-level component the way `pulumi
// preview` nests resources under their parents, each type once with its count and shortened names
// (the component's own prefix dropped), instead of only counts.
import type { RecordedResource } from "../harness";
import { ROOT_STACK_TYPE } from "../urn";

/** `aws:ec2/subnet:Subnet` -> `Subnet`; `kubernetes:apps/v1:Deployment` -> `Deployment`. */
export const shortType = (type: string) => type.split(":").pop() ?? type;

/** The top-level component a resource sits under (the child of the root stack), or "(stack)". */
export function topComponent(resources: readonly RecordedResource[]): (r: RecordedResource) => RecordedResource | undefined {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return (r) => {
    let current: RecordedResource | undefined = r;
    let top: RecordedResource | undefined;
    while (current && current.type !== ROOT_STACK_TYPE) {
      if (!current.custom) top = current;
      current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return top;
  };
}

/** Names without the component's prefix (`platform-network-vpc` under `platform` -> `network-vpc`). */
const shorten = (name: string, prefix: string) => (prefix && name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name);

/** Lines naming every custom resource the plan creates; `limit` names per type unless verbose. */
export function createdLines(resources: readonly RecordedResource[], verbose: boolean, limit = 4): string[] {
  const top = topComponent(resources);
  const groups = new Map<string, { prefix: string; byType: Map<string, string[]> }>();
  for (const r of resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
    const component = top(r);
    const key = component ? `${component.name} (${shortType(component.type)})` : "(stack)";
    const group = groups.get(key) ?? { prefix: component?.name ?? "", byType: new Map() };
    group.byType.set(r.type, [...(group.byType.get(r.type) ?? []), shorten(r.name, group.prefix)]);
    groups.set(key, group);
  }
  const total = [...groups.values()].reduce((n, g) => n + [...g.byType.values()].reduce((m, names) => m + names.length, 0), 0);
  const lines = [`  creates ${total} resources (a first \`pulumi up\`; \`npm run diff\` shows what a change replaces):`];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const count = [...group.byType.values()].reduce((m, names) => m + names.length, 0);
    lines.push(`    ${key}: ${count}`);
    for (const [type, names] of [...group.byType].sort(([a], [b]) => shortType(a).localeCompare(shortType(b)))) {
      const shown = verbose ? names : names.slice(0, limit);
      const more = names.length > shown.length ? `, … ${names.length - shown.length} more` : "";
      lines.push(`      ${shortType(type)} ×${names.length}: ${shown.join(", ")}${more}`);
    }
  }
  return lines;
}

/** The resources marked `protect`: Pulumi refuses to delete them (and so to replace them) until unprotected. */
export function protectedLines(resources: readonly RecordedResource[]): string[] {
  const guarded = resources.filter((r) => r.protect && r.custom);
  if (guarded.length === 0) return ["  protected: none (kfp-platform:protectData is off: nothing stops a delete)"];
  return [`  protected (${guarded.length}; a delete or replacement fails until unprotected): ${guarded.map((r) => `${shortType(r.type)} ${r.name}`).join(", ")}`];
}
