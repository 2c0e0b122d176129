// Compares two offline plans of a stack (out/<stack>/resources.json) resource by resource, for
// pull-request comments: what a merge would add, remove or change, down to the changed input paths,
// with stateful resources in bold and the changes that replace a resource named (engine/stateful.ts).
import { deletesBeforeCreate, replacementRulesKnown, replacingPaths, STATEFUL_TYPES } from "./stateful";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  protect?: boolean;
  /** The explicit provider's URN (resources.json), or the engine's `<urn>::<id>` reference. */
  provider?: string | null;
  inputs: unknown;
}

export interface ResourceChange {
  urn: string;
  type: string;
  /** Changed input paths such as `spec.template.spec.containers[0].image`, with old and new values. */
  paths: { path: string; before: unknown; after: unknown }[];
  /** The new inputs. */
  inputs: unknown;
  /** For a provider resource: how many resources of the new plan are created through it. */
  managed?: number;
}

export interface PlanDiff {
  added: PlannedResource[];
  removed: PlannedResource[];
  changed: ResourceChange[];
}

function changedPaths(before: unknown, after: unknown, path: string, out: ResourceChange["paths"]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const isObject = (v: unknown) => v !== null && typeof v === "object";
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    for (const key of [...keys].sort()) {
      const child = Array.isArray(before) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      changedPaths((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], child, out);
    }
    return;
  }
  out.push({ path, before, after });
}

/**
 * pulumi-aws v7 writes its provider's `region` into each Region-aware resource that sets none (provider/
 * region.go), so a provider region change reaches the resources, where the table says `region` replaces.
 */
function withProviderRegion(plan: readonly PlannedResource[]): PlannedResource[] {
  const regions = new Map(plan.filter((r) => r.type === "pulumi:providers:aws").map((r) => [r.urn, (r.inputs as Record<string, unknown>).region]));
  return plan.map((r) => {
    const inputs = r.inputs as Record<string, unknown>;
    const providerUrn = r.provider?.split("::").slice(0, 4).join("::");
    const region = providerUrn ? regions.get(providerUrn) : undefined;
    if (!r.type.startsWith("aws:") || region === undefined || inputs.region !== undefined || !replacingPaths(r.type, ["region"]).length) return r;
    return { ...r, inputs: { ...inputs, region } };
  });
}

export function diffPlans(planBefore: readonly PlannedResource[], planAfter: readonly PlannedResource[]): PlanDiff {
  const before = withProviderRegion(planBefore);
  const after = withProviderRegion(planAfter);
  const old = new Map(before.map((r) => [r.urn, r]));
  const now = new Map(after.map((r) => [r.urn, r]));
  const diff: PlanDiff = { added: [], removed: [], changed: [] };
  for (const r of after) if (!old.has(r.urn)) diff.added.push(r);
  for (const r of before) if (!now.has(r.urn)) diff.removed.push(r);
  for (const r of after) {
    const previous = old.get(r.urn);
    if (!previous) continue;
    const paths: ResourceChange["paths"] = [];
    changedPaths(previous.inputs, r.inputs, "", paths);
    if (previous.protect !== r.protect) paths.push({ path: "(protect)", before: previous.protect, after: r.protect });
    if (paths.length === 0) continue;
    const change: ResourceChange = { urn: r.urn, type: r.type, paths, inputs: r.inputs };
    if (r.type.startsWith("pulumi:providers:")) change.managed = after.filter((x) => x.provider === r.urn || x.provider?.startsWith(`${r.urn}::`)).length;
    diff.changed.push(change);
  }
  return diff;
}

const show = (v: unknown) => (v === undefined ? "(unset)" : JSON.stringify(v).slice(0, 80));
const short = (urn: string) => urn.split("::").slice(2).join("::");

/** A resource's name in a line: in bold, with a warning word, when it holds state. */
const named = (urn: string, type: string) => (STATEFUL_TYPES.has(type) ? `**stateful** **\`${short(urn)}\`**` : `\`${short(urn)}\``);

/** Markdown for a pull-request comment. Removals and replacements come first: they are what loses data. */
export function formatDiff(stack: string, diff: PlanDiff, maxPaths = 8): string {
  const lines = [`### Stack \`${stack}\`: +${diff.added.length} ~${diff.changed.length} -${diff.removed.length}`];
  if (diff.added.length + diff.changed.length + diff.removed.length === 0) return `${lines[0]}\n\nNothing changes.`;
  const stateful = [...diff.removed, ...diff.changed].filter((r) => STATEFUL_TYPES.has(r.type)).length;
  if (stateful > 0) lines.push("", `**${stateful} stateful resource(s) change or go: review the lines marked stateful.**`, "");
  for (const r of diff.removed) lines.push(`- **delete** ${named(r.urn, r.type)}${r.protect ? " (protected: the update will fail)" : ""}`);
  const changes = diff.changed.map((c) => ({ c, replacing: replacingPaths(c.type, c.paths.map((p) => p.path)) }));
  for (const { c, replacing } of changes.filter((x) => x.replacing.length > 0)) {
    const forced = replacing.map((p) => `\`${p}\``).join(", ");
    if (deletesBeforeCreate(c.type, c.inputs, c.paths.map((p) => p.path))) {
      lines.push(`- **replace, deleting first** ${named(c.urn, c.type)}: it keeps its name, so the old one goes before the new one exists (down until it is up), forced by ${forced}`);
    } else lines.push(`- **replace** ${named(c.urn, c.type)}: delete and create, forced by ${forced}`);
    // A replaced provider replaces everything created through it, whether or not its inputs changed.
    if (c.managed) lines.push(`  - and with it every one of the ${c.managed} resources created through this provider`);
    for (const p of c.paths.slice(0, maxPaths)) lines.push(`  - \`${p.path}\`: ${show(p.before)} → ${show(p.after)}`);
  }
  for (const r of diff.added) lines.push(`- **create** ${named(r.urn, r.type)}`);
  for (const { c } of changes.filter((x) => x.replacing.length === 0)) {
    // Where the provider's rules were not read, "update" is a guess: say so rather than reassure.
    const unsure = replacementRulesKnown(c.type) ? "" : " (may replace: the provider's replacement rules for this type are not in engine/replacements/table.json)";
    lines.push(`- **update** ${named(c.urn, c.type)}${unsure}`);
    for (const p of c.paths.slice(0, maxPaths)) lines.push(`  - \`${p.path}\`: ${show(p.before)} → ${show(p.after)}`);
    if (c.paths.length > maxPaths) lines.push(`  - … ${c.paths.length - maxPaths} more`);
  }
  return lines.join("\n");
}
