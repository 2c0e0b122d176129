// Reads the installed Pulumi SDKs' own doc strings for the inputs whose change replaces a resource.
// Bridged providers copy Terraform's docs, which say so per argument in a handful of phrasings (counted
// over node_modules/@pulumi/{aws,gcp}/**/*.d.ts on 2026-12-07: "Changing this forces a new resource (to
// be created)", "Changing this will force terraform to create (a) new resource", "Changing this value
// forces a new resource", "forces a new service account/project to be created", "(Forces new resource)").
// The docs miss many ForceNew fields (aws_vpc cidr_block says nothing), so provider-facts.ts adds those.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** A doc string that says changing the input replaces the resource. "a new interface" (a nested block) does not count. */
export const FORCES_NEW =
  /forces? (a |the )?new (resource|service account|project)|force terraform to create (a )?new resource|forces new resource|will force a new resource/i;

const sdkRoot = (root: string, pkg: string) => join(root, "node_modules", "@pulumi", pkg);

/** Every `__pulumiType` token in a package, with the .d.ts file that declares its class. */
function typeFiles(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir)) {
    const file = join(dir, entry);
    if (entry === "node_modules" || entry === "types") continue;
    if (statSync(file).isDirectory()) typeFiles(file, out);
    else if (entry.endsWith(".js")) {
      const m = /__pulumiType = '([^']+)'/.exec(readFileSync(file, "utf8"));
      if (m) out.set(m[1], file.replace(/\.js$/, ".d.ts"));
    }
  }
  return out;
}

interface Members {
  [name: string]: { doc: string; typeText: string };
}

function membersOf(node: ts.InterfaceDeclaration, source: ts.SourceFile): Members {
  const out: Members = {};
  for (const m of node.members) {
    if (!ts.isPropertySignature(m) || !m.name) continue;
    const docs = ts.getJSDocCommentsAndTags(m).map((d) => (typeof d.comment === "string" ? d.comment : ts.getTextOfJSDocComment(d.comment) ?? ""));
    out[m.name.getText(source)] = { doc: docs.join("\n"), typeText: m.type?.getText(source) ?? "" };
  }
  return out;
}

/** The nested input types of a package (types/input.d.ts), by `namespace.Name`. */
function inputTypes(pkgDir: string): Map<string, Members> {
  const file = join(pkgDir, "types", "input.d.ts");
  const out = new Map<string, Members>();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return out; // random and tls have no nested input types
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node, prefix: string) => {
    if (ts.isModuleDeclaration(node)) {
      const name = prefix ? `${prefix}.${node.name.getText(source)}` : node.name.getText(source);
      node.body?.forEachChild((c) => visit(c, name));
    } else if (ts.isInterfaceDeclaration(node)) out.set(prefix ? `${prefix}.${node.name.text}` : node.name.text, membersOf(node, source));
    else node.forEachChild((c) => visit(c, prefix));
  };
  source.forEachChild((c) => visit(c, ""));
  return out;
}

/** Input paths (dotted, Pulumi names, no indices) whose docs say a change replaces the resource. */
function forcedPaths(members: Members, nested: Map<string, Members>, prefix: string, depth: number, out: string[]): void {
  for (const [name, m] of Object.entries(members).sort(([a], [b]) => a.localeCompare(b))) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (FORCES_NEW.test(m.doc.replace(/\s+/g, " "))) {
      out.push(path);
      continue; // everything below is replaced with it
    }
    const ref = /inputs\.([\w.]+)/.exec(m.typeText);
    if (ref && depth < 6 && nested.has(ref[1])) forcedPaths(nested.get(ref[1])!, nested, path, depth + 1, out);
  }
}

export interface SdkDocFacts {
  /** Package versions read. */
  versions: Record<string, string>;
  /** Per type: paths the docs mark as replacing; absent when the type is not in the package. */
  paths: Map<string, string[]>;
  /** Per type: the top-level input names its Args interface declares (to check facts against). */
  args: Map<string, string[]>;
  /**
   * A provider's path (camelCased Terraform names, `block.#` allowed) as the SDK spells it, walking the
   * nested input types: Pulumi pluralises list blocks (`node_pool` -> `nodePools`). Undefined when some
   * segment is no input of the type.
   */
  resolve: (type: string, path: string) => string | undefined;
}

/** Reads the doc strings of the named types from the installed SDKs of the project at `root`. */
export function readSdkDocs(root: string, types: readonly string[]): SdkDocFacts {
  const versions: Record<string, string> = {};
  const paths = new Map<string, string[]>();
  const args = new Map<string, string[]>();
  const membersByType = new Map<string, { members: Members; nested: Map<string, Members> }>();
  const byPackage = new Map<string, string[]>();
  for (const t of types) {
    const pkg = t.split(":")[0];
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), t]);
  }
  for (const [pkg, wanted] of byPackage) {
    const dir = sdkRoot(root, pkg);
    versions[pkg] = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
    const files = typeFiles(dir);
    const nested = inputTypes(dir);
    for (const type of wanted) {
      const file = files.get(type);
      if (!file) continue;
      const className = type.split(":")[2];
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `${className}Args`);
      const members = decl ? membersOf(decl, source) : {};
      const out: string[] = [];
      forcedPaths(members, nested, "", 0, out);
      paths.set(type, out);
      args.set(type, Object.keys(members));
      membersByType.set(type, { members, nested });
    }
  }
  const resolve = (type: string, path: string): string | undefined => {
    const found = membersByType.get(type);
    if (!found) return undefined;
    let members: Members | undefined = found.members;
    const out: string[] = [];
    for (const segment of path.split(".")) {
      if (segment === "#") {
        out.push(segment);
        break;
      }
      const name = [segment, `${segment}s`, segment.replace(/y$/, "ies"), `${segment}es`].find((n) => members?.[n]);
      if (!name || !members) return undefined;
      out.push(name);
      const ref = /inputs\.([\w.]+)/.exec(members[name].typeText);
      members = ref ? found.nested.get(ref[1]) : undefined;
    }
    return out.join(".");
  };
  return { versions, paths, args, resolve };
}
