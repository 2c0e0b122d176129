// The access report as text: per subject its rights per namespace and each escalation path, one step per
// line with the rule and binding that allow it.
import { describeStep, targetLabel, type Path } from "./escalation";
import type { AccessReport, SubjectAccess } from "./index";
import { principalKey } from "./model";

export function formatPath(path: Path, indent: string): string[] {
  if (path.steps.length === 0) return [`${indent}(directly, through its own bindings)`];
  return path.steps.map((step, i) => `${indent}${i + 1}. ${describeStep(step)}`);
}

function formatSubject(s: SubjectAccess): string[] {
  const tags = [...s.roles, ...(s.teams.length > 0 ? [`team ${s.teams.join(", ")}`] : [])];
  const lines = [`${principalKey(s.principal)}${tags.length > 0 ? `  [${tags.join("; ")}]` : ""}`];
  if (s.rights.size === 0) lines.push("  rights: none of its own");
  for (const [scope, rules] of s.rights) lines.push(`  ${scope}: ${rules.join("; ")}`);
  for (const path of s.paths) {
    const last = path.steps[path.steps.length - 1];
    lines.push(`  path to ${targetLabel(last.to)}:`, ...formatPath(path, "    "));
  }
  for (const f of s.forbidden) lines.push(`  FORBIDDEN: ${f.reason}`);
  return lines;
}

/** The whole report; `only` keeps the subjects of the given roles (the docs show teams and step identities). */
export function formatAccessReport(report: AccessReport, only?: readonly string[]): string {
  const shown = report.subjects.filter((s) => !only || s.roles.some((r) => only.includes(r)));
  const lines = shown.flatMap((s) => [...formatSubject(s), ""]);
  const paths = report.subjects.reduce((n, s) => n + s.paths.length, 0);
  lines.push(`${report.subjects.length} subjects, ${paths} escalation paths, ${report.forbidden.length} forbidden (team namespaces: ${report.teamNamespaces.join(", ") || "none"})`);
  return lines.join("\n");
}
