// Reads a Terraform provider's Go resource schema (SDKv2 `map[string]*schema.Schema{...}`) for the
// attributes marked `ForceNew: true`, the flag the Terraform bridge turns into a Pulumi replacement
// (pulumi-terraform-bridge: a diff on a ForceNew attribute is a "replace"). Plugin-framework resources
// say `RequiresReplace()` in the attribute's plan modifiers; both are read. A nested block's attributes
// come out as `block.attribute`, and a block whose adding or removing replaces as `block.#`. Names stay Terraform's snake_case; pulumiPath() converts them.

/** The text from `open` (an index of `{`) to its matching `}`, skipping strings, runes and comments. */
function block(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") i = text.indexOf("\n", i);
    else if (c === '"' || c === "`") {
      const close = c === "`" ? text.indexOf("`", i + 1) : (() => { let j = i + 1; while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1; return j; })();
      i = close;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/** The body `{...}` of `var name = ...{` or of `func name() ... { return ...{`, in the package's sources. */
function definition(pkg: string, name: string): string | undefined {
  const m = new RegExp(`(?:var ${name}\\s*=\\s*[^{\\n]*\\{|func ${name}\\(\\)[^{]*\\{\\s*return\\s*[^{\\n]*\\{)`).exec(pkg);
  return m ? block(pkg, m.index + m[0].length - 1) : undefined;
}

/** Attributes directly inside a schema map body: `"name": {`, `"name": &schema.Schema{`, `"name": helper(),` or `"name": someVar,`. */
function attributes(body: string, pkg: string): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  const re = /"([a-z0-9_]+)":\s*(?:(&?schema\.\w+\s*)?(\{)|(\w+)(\(\))?\s*,)/g;
  let i = 1;
  while (i < body.length - 1) {
    re.lastIndex = i;
    const m = re.exec(body);
    if (!m) break;
    if (m[3]) {
      const open = m.index + m[0].length - 1;
      const inner = block(body, open);
      out.push({ name: m[1], body: inner });
      i = open + inner.length;
    } else {
      const def = definition(pkg, m[4]);
      if (def) out.push({ name: m[1], body: def });
      i = m.index + m[0].length;
    }
  }
  return out;
}

/** The body of an attribute without its nested blocks (so a child's ForceNew is not taken for the parent's). */
function ownText(body: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    if (depth <= 1) out += body[i];
    if (body[i] === "}") depth--;
  }
  return out;
}

const SCHEMA_MAP = /(?:Schema|Attributes):\s*(map\[string\]\*?schema\.\w+\s*\{|tpgresource\.MergeSchemas\(|(\w+)\s*,)/;

/** The attribute map(s) a `Schema:` field names: a literal map, a MergeSchemas(...) of maps, or a variable. */
function schemaMaps(text: string, pkg: string): string[] {
  const m = SCHEMA_MAP.exec(text);
  if (!m) return [];
  if (m[2]) return [definition(pkg, m[2])].filter((d): d is string => d !== undefined);
  if (m[1].startsWith("map")) return [block(text, m.index + m[0].length - 1)];
  const args = text.slice(m.index + m[0].length);
  const out: string[] = [];
  let i = 0;
  while (i < args.length) {
    const rest = args.slice(i);
    const lit = /^\s*map\[string\]\*schema\.Schema\s*\{/.exec(rest);
    const ident = /^\s*(\w+)\s*,/.exec(rest);
    if (lit) {
      const b = block(args, i + lit[0].length - 1);
      out.push(b);
      i += lit[0].length - 1 + b.length;
      i += /^\s*,?/.exec(args.slice(i))![0].length;
    } else if (ident) {
      const d = definition(pkg, ident[1]);
      if (d) out.push(d);
      i += ident[0].length;
    } else break;
  }
  return out;
}

/** Whether a framework attribute's own plan modifiers (not a nested attribute's) include a RequiresReplace*. */
function requiresReplace(body: string): boolean {
  const re = /PlanModifiers:\s*\[\]planmodifier\.\w+\s*\{/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const depth = [...body.slice(0, m.index)].reduce((d, c) => d + (c === "{" ? 1 : c === "}" ? -1 : 0), 0);
    if (depth === 1 && /requires?Replace\w*\(/i.test(block(body, m.index + m[0].length - 1))) return true;
  }
  return false;
}

function walk(body: string, pkg: string, prefix: string, out: string[]): void {
  for (const a of attributes(body, pkg)) {
    const path = prefix ? `${prefix}.${a.name}` : a.name;
    const own = ownText(a.body);
    const elem = /Elem:\s*&schema\.Resource\s*\{|NestedObject:\s*schema\.\w+\s*\{/.exec(a.body.slice(1));
    if (requiresReplace(a.body) || (/ForceNew:\s*true/.test(own) && !elem)) {
      out.push(path);
      continue; // a scalar, a list or map of scalars, or a framework attribute: any change replaces
    }
    // SDKv2 applies a block's own ForceNew to its element count only (helper/schema diffList:
    // countSchema carries ForceNew; each nested field is diffed with its own): `path.#`.
    if (/ForceNew:\s*true/.test(own)) out.push(`${path}.#`);
    if (elem) {
      const inner = block(a.body, 1 + elem.index + elem[0].length - 1);
      for (const map of schemaMaps(inner, pkg)) walk(map, pkg, path, out);
    } else for (const map of schemaMaps(a.body.slice(1), pkg)) if (map !== a.body) walk(map, pkg, path, out);
  }
}

/**
 * ForceNew attribute paths of the resource that `entry` (e.g. `ResourceContainerCluster`) returns, or of
 * the first schema in `source` when no entry is named; `pkg` is the package's other sources, where
 * helper functions and variables the schema names are looked up.
 */
export function forceNewAttributes(source: string, entry?: string, pkg = source): string[] {
  let text = source;
  if (entry) {
    const at = new RegExp(`func (?:\\(\\w+ \\*?\\w+\\) )?${entry}\\(`).exec(source);
    if (!at) return [];
    text = source.slice(at.index);
  }
  const out: string[] = [];
  const all = `${source}\n${pkg}`;
  for (const map of schemaMaps(text, all)) {
    walk(map, all, "", out);
    // A framework schema lists its nested blocks beside its attributes: `Blocks: map[string]schema.Block{`.
    const after = text.slice(text.indexOf(map) + map.length);
    const blocks = /^\s*,\s*Blocks:\s*map\[string\]schema\.Block\s*\{/.exec(after);
    if (blocks) walk(block(after, blocks[0].length - 1), all, "", out);
  }
  return [...new Set(out)].sort();
}

/** Terraform's `node_config.machine_type` as Pulumi names it: `nodeConfig.machineType`. */
export const pulumiPath = (tf: string) => tf.split(".").map((part) => part.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())).join(".");
