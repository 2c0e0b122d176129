// Renders docs/config.md from the schema, so the reference can never disagree with what is checked.
import { stackConfigJsonSchema } from "./parse";
import { PROJECT } from "./schema";

type Node = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, Node>;
  required?: string[];
  oneOf?: Node[];
  anyOf?: Node[];
  items?: Node;
  additionalProperties?: Node | boolean;
};

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (node.type === "array") return `list of ${node.items ? typeOf(node.items) : "values"}`;
  return node.type ?? "value";
}

function row(key: string, node: Node, required: boolean, when?: string): string {
  const def = node.default === undefined ? (required ? "**required**" : "unset") : `\`${JSON.stringify(node.default)}\``;
  const desc = `${node.description ?? ""}${when ? ` (when \`${when}\`)` : ""}`.trim().replace(/\|/g, "\\|");
  return `| \`${key}\` | ${typeOf(node)} | ${def} | ${desc} |`;
}

/** Adds a row for `key` and one for each key below it; `when` names the union branch it belongs to. */
function walk(key: string, node: Node, required: boolean, rows: string[], when?: string): void {
  const branches = node.oneOf ?? node.anyOf;
  if (branches) {
    rows.push(row(key, { ...node, type: "object" }, required, when));
    for (const branch of branches) {
      const tag = Object.entries(branch.properties ?? {}).find(([, p]) => p.const !== undefined);
      const branchWhen = tag ? `${tag[0]}: ${JSON.stringify(tag[1].const)}` : when;
      for (const [child, childNode] of Object.entries(branch.properties ?? {})) {
        walk(`${key}.${child}`, childNode, (branch.required ?? []).includes(child), rows, branchWhen);
      }
    }
    return;
  }
  rows.push(row(key, node, required, when));
  for (const [child, childNode] of Object.entries(node.properties ?? {})) {
    walk(`${key}.${child}`, childNode, (node.required ?? []).includes(child), rows, when);
  }
  // Maps of named entries (node groups by name): document one entry's keys under `<name>`.
  const entry = node.additionalProperties;
  if (typeof entry === "object" && (entry.properties || entry.oneOf || entry.anyOf)) {
    for (const [child, childNode] of Object.entries(entry.properties ?? {})) {
      walk(`${key}.<name>.${child}`, childNode, (entry.required ?? []).includes(child), rows, when);
    }
  }
}

export function renderConfigReference(): string {
  const schema = stackConfigJsonSchema() as Node;
  const rows: string[] = [];
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    walk(`${PROJECT}:${key}`, node, (schema.required ?? []).includes(key), rows);
  }
  return [
    "# Stack configuration reference",
    "",
    "Generated from `modules/config/schema.ts` by `npm run docs`; a test fails when it is stale.",
    `Keys live under \`config:\` in \`stacks/Pulumi.<stack>.yaml\`. Unknown keys under \`${PROJECT}:\` are errors;`,
    "other namespaces (`pulumi:`, `kubernetes:`, `aws:`, `gcp:`) belong to the engine and providers.",
    "",
    "| key | type | default | description |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
