// The kit's folder graph, read from the import statements (TypeScript's own pre-processor: static
// imports, `export ... from`, `import()` and `require()`), for the layout tests.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** Every .ts file under `dir`, relative to it. */
function tsFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path, base);
    return entry.endsWith(".ts") ? [relative(base, path)] : [];
  });
}

/** The kit's own files each file imports (paths relative to `root`, with .ts). */
export function fileImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(root)) {
    const info = ts.preProcessFile(readFileSync(join(root, file), "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(root, dirname(file), fileName);
      const candidates = [`${target}.ts`, join(target, "index.ts"), target];
      const hit = candidates.find((c) => c.endsWith(".ts") && statSync(c, { throwIfNoEntry: false })?.isFile());
      if (hit && hit.startsWith(root + sep)) edges.push({ from: file, to: relative(root, hit) });
    }
  }
  return edges;
}

/**
 * Folder-level edges below `folder` ("" for the root): a file in child folder A importing a file in
 * child folder B gives A -> B. Files directly in `folder` are their own nodes (`main.ts`).
 */
export function folderEdges(files: readonly ImportEdge[], folder = ""): Map<string, Map<string, ImportEdge[]>> {
  const prefix = folder ? `${folder}/` : "";
  const node = (file: string): string | undefined => {
    if (!file.startsWith(prefix)) return undefined;
    return file.slice(prefix.length).split("/")[0];
  };
  const graph = new Map<string, Map<string, ImportEdge[]>>();
  for (const edge of files) {
    const a = node(edge.from);
    const b = node(edge.to);
    if (!a || !b || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Map());
    const out = graph.get(a)!;
    out.set(b, [...(out.get(b) ?? []), edge]);
  }
  return graph;
}

/** Every cycle's nodes (strongly connected components of more than one node), Tarjan's algorithm. */
export function cycles(graph: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

/** Every folder below `root` that has subfolders, relative to it ("" for the root itself). */
export function foldersWithSubfolders(root: string, dir = root): string[] {
  const subs = readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory());
  if (subs.length === 0) return [];
  return [relative(root, dir), ...subs.flatMap((s) => foldersWithSubfolders(root, join(dir, s)))];
}
