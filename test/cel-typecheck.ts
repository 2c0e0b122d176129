// A model of the type check Kubernetes 1.35 runs on ValidatingAdmissionPolicy expressions (its results are
// the policy's status.typeChecking warnings), for the one class of error that matters here: reading fields
// the declared types do not have. No npm CEL library checks like cel-go: @marcbachmann/cel-js 8.0.0's
// Environment.check accepts `has(object.spec.x)` on a type without fields (cel-go reports "undefined
// field"), accepts an optional index on an object, and refuses `has()` on a call; so this walks cel-js's
// parse tree with cel-go's rules instead:
//   - types from the CRD's schema as apiserver v0.35.6 pkg/cel/common/schemas.go:40-140 (SchemaDeclType)
//     builds them: objects with properties are object types with exactly those fields, an object with
//     x-kubernetes-preserve-unknown-fields and no properties is an object type with none, additionalProperties
//     a map, x-kubernetes-int-or-string dyn; the resource root always has apiVersion, kind and metadata's
//     name and generateName (:73-78);
//   - `variables` is an object type with one field per variable, typed by its expression
//     (pkg/admission/plugin/cel/composition.go:89-131); `request` as compile.go:48-90 declares it;
//   - field selection and has() (cel-go v0.26.0 checker/checker.go:119-215): a map yields its value type,
//     an object type only its declared fields ("undefined field '<f>'", :676-689), dyn yields dyn, other
//     types do not support selection; index `_[_]`, optional index `_[?_]` and `in` are declared for lists
//     and maps (common/stdlib/standard.go:495-527, cel/library.go:508-521), which dyn matches;
//   - comprehension macros iterate lists (element type), maps (key type) or dyn.
// Function results this model does not need to know are dyn, so it reports no more than cel-go would.
import { Environment } from "@marcbachmann/cel-js";

/** cel-js's parser, with the optional syntax (`.?f`, `[?k]`) Kubernetes enables since 1.29. */
const parser = new Environment({ enableOptionalTypes: true, unlistedVariablesAreDyn: true });

export type CelType =
  | { k: "dyn" }
  | { k: "prim"; name: "string" | "int" | "uint" | "double" | "bool" | "null" | "bytes" }
  | { k: "list"; elem: CelType }
  | { k: "map"; key: CelType; value: CelType }
  | { k: "object"; name: string; fields: Record<string, CelType> };

export const DYN: CelType = { k: "dyn" };
const STRING: CelType = { k: "prim", name: "string" };
const BOOL: CelType = { k: "prim", name: "bool" };
const prim = (name: Extract<CelType, { k: "prim" }>["name"]): CelType => ({ k: "prim", name });
export const object = (name: string, fields: Record<string, CelType>): CelType => ({ k: "object", name, fields });
export const listOf = (elem: CelType): CelType => ({ k: "list", elem });
const mapOf = (key: CelType, value: CelType): CelType => ({ k: "map", key, value });

type Schema = Record<string, any>;

/** SchemaDeclType (schemas.go:40-140); undefined where the schema is not exposed. */
export function schemaDeclType(s: Schema | undefined, isResourceRoot = false, name = "object"): CelType | undefined {
  if (!s) return undefined;
  if (s["x-kubernetes-int-or-string"]) return DYN;
  if (isResourceRoot) {
    // WithTypeAndObjectMeta: apiVersion, kind, metadata.name and metadata.generateName are always there.
    const meta = s.properties?.metadata ?? { type: "object" };
    s = {
      ...s,
      type: "object",
      properties: {
        ...s.properties,
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { ...meta, type: "object", properties: { ...meta.properties, name: { type: "string" }, generateName: { type: "string" } } },
      },
    };
  }
  switch (s.type) {
    case "array": {
      const items = schemaDeclType(s.items, Boolean(s.items?.["x-kubernetes-embedded-resource"]), `${name}.@idx`);
      return items ? listOf(items) : undefined;
    }
    case "object": {
      const extra = s.additionalProperties;
      if (extra && typeof extra === "object") {
        const value = schemaDeclType(extra, Boolean(extra["x-kubernetes-embedded-resource"]), `${name}.@elem`);
        return value ? mapOf(STRING, value) : undefined;
      }
      const fields: Record<string, CelType> = {};
      for (const [field, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        const t = schemaDeclType(prop, Boolean(prop["x-kubernetes-embedded-resource"]), `${name}.${field}`);
        if (t) fields[field] = t;
      }
      return object(name, fields);
    }
    case "string":
      return STRING;
    case "integer":
      return prim("int");
    case "number":
      return prim("double");
    case "boolean":
      return BOOL;
    default:
      return undefined;
  }
}

/** The request variable (pkg/admission/plugin/cel/compile.go:48-90). */
export const REQUEST_TYPE = object("kubernetes.AdmissionRequest", {
  kind: object("kubernetes.GroupVersionKind", { group: STRING, version: STRING, kind: STRING }),
  resource: object("kubernetes.GroupVersionResource", { group: STRING, version: STRING, resource: STRING }),
  subResource: STRING,
  name: STRING,
  namespace: STRING,
  operation: STRING,
  userInfo: object("kubernetes.UserInfo", { username: STRING, uid: STRING, groups: listOf(STRING), extra: mapOf(STRING, listOf(STRING)) }),
  dryRun: BOOL,
  options: DYN,
});

const format = (t: CelType): string =>
  t.k === "dyn" ? "dyn" : t.k === "prim" ? t.name : t.k === "list" ? `list(${format(t.elem)})` : t.k === "map" ? `map(${format(t.key)}, ${format(t.value)})` : t.name;

const MACROS = new Set(["all", "exists", "exists_one", "filter", "map"]);

/** Type-checks one expression in an environment of typed variables; returns cel-go's error messages. */
export function typeCheck(expression: string, env: Record<string, CelType>): { type: CelType; errors: string[] } {
  const errors: string[] = [];
  const select = (t: CelType, field: string): CelType => {
    if (t.k === "map") return t.value;
    if (t.k === "dyn") return DYN;
    if (t.k === "object") {
      if (field in t.fields) return t.fields[field];
      errors.push(`undefined field '${field}'`);
      return DYN;
    }
    errors.push(`type '${format(t)}' does not support field selection`);
    return DYN;
  };
  const index = (op: string, container: CelType, key: CelType): CelType => {
    if (container.k === "list") return container.elem;
    if (container.k === "map") return container.value;
    if (container.k === "dyn") return DYN;
    errors.push(`found no matching overload for '${op}' applied to '(${format(container)}, ${format(key)})'`);
    return DYN;
  };
  const check = (node: any, scope: Record<string, CelType>): CelType => {
    const [a, b, c] = Array.isArray(node.args) ? node.args : [node.args];
    switch (node.op) {
      case "value":
        return typeof a === "string" ? STRING : typeof a === "bigint" ? prim("int") : typeof a === "number" ? prim("double") : typeof a === "boolean" ? BOOL : a === null ? prim("null") : DYN;
      case "id":
        if (a in scope) return scope[a];
        errors.push(`undeclared reference to '${a}' (in container '')`);
        return DYN;
      case ".":
      case ".?":
        return select(check(a, scope), b);
      case "[]":
      case "[?]":
        return index(node.op === "[]" ? "_[_]" : "_[?_]", check(a, scope), check(b, scope));
      case "in": {
        const key = check(a, scope);
        const range = check(b, scope);
        if (range.k !== "list" && range.k !== "map" && range.k !== "dyn") errors.push(`found no matching overload for '@in' applied to '(${format(key)}, ${format(range)})'`);
        return BOOL;
      }
      case "call": {
        const [name, args] = [a as string, b as any[]];
        if (name === "has") {
          const arg = args[0];
          if (arg?.op !== "." && arg?.op !== ".?") errors.push("invalid argument to has() macro");
          else select(check(arg.args[0], scope), arg.args[1]);
          return BOOL;
        }
        const types = args.map((x) => check(x, scope));
        if (name === "dyn") return DYN;
        if (name === "string") return STRING;
        if (name === "int" || name === "size") return prim("int");
        return types.length ? DYN : DYN;
      }
      case "rcall": {
        const [name, receiver, args] = [a as string, b, c as any[]];
        const range = check(receiver, scope);
        if (MACROS.has(name) && args[0]?.op === "id") {
          const iter = range.k === "list" ? range.elem : range.k === "map" ? range.key : DYN;
          if (range.k !== "list" && range.k !== "map" && range.k !== "dyn") errors.push(`expression of type '${format(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
          const inner = { ...scope, [args[0].args]: iter };
          for (const x of args.slice(1)) check(x, inner);
          return name === "filter" ? listOf(iter) : name === "map" ? listOf(DYN) : BOOL;
        }
        args.forEach((x) => check(x, scope));
        return ["matches", "startsWith", "endsWith", "contains"].includes(name) ? BOOL : DYN;
      }
      case "?:": {
        check(a, scope);
        const [t1, t2] = [check(b, scope), check(c, scope)];
        return format(t1) === format(t2) ? t1 : DYN;
      }
      case "list":
        (node.args as any[]).forEach((x) => check(x, scope));
        return listOf(DYN);
      case "map":
        (node.args as any[][]).forEach(([k, v]) => (check(k, scope), check(v, scope)));
        return mapOf(DYN, DYN);
      case "!_":
      case "-_":
        check(a, scope);
        return node.op === "!_" ? BOOL : DYN;
      default:
        check(a, scope);
        check(b, scope);
        return ["==", "!=", "<", "<=", ">", ">=", "&&", "||"].includes(node.op) ? BOOL : DYN;
    }
  };
  const type = check((parser.parse(expression) as unknown as { ast: unknown }).ast, env);
  return { type, errors };
}

/** Type-checks a policy's variables (in order, each seeing the ones before) and expressions. */
export function typeCheckPolicy(
  objectType: CelType,
  variables: readonly { name: string; expression: string }[],
  expressions: readonly string[],
): Record<string, string[]> {
  const fields: Record<string, CelType> = {};
  const out: Record<string, string[]> = {};
  const env = () => ({ object: objectType, oldObject: objectType, request: REQUEST_TYPE, variables: object("kubernetes.variables", { ...fields }) });
  for (const v of variables) {
    const { type, errors } = typeCheck(v.expression, env());
    fields[v.name] = type;
    if (errors.length) out[`variables.${v.name}`] = errors;
  }
  for (const e of expressions) {
    const { errors } = typeCheck(e, env());
    if (errors.length) out[e] = errors;
  }
  return out;
}
