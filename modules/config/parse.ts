// Turns the flat config map Pulumi hands a program ("ns:key" -> string) into a validated StackConfig,
// or a ConfigError whose every line names the stack file, the key, what was found and what is allowed.
import { z } from "zod";
import { ConfigError, unexpected, type ConfigProblem } from "./errors";
import { withKfpProfile } from "./kfp";
import { FOREIGN_NAMESPACES, PROJECT, SECRET_KEYS, stackConfigSchema, type StackConfig } from "./schema";

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  const?: unknown;
  [k: string]: unknown;
};

let inputSchema: JsonSchema | undefined;
/** The schema as JSON Schema (input side, defaults shown); used for messages and the docs. */
export function stackConfigJsonSchema(): JsonSchema {
  inputSchema ??= z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return inputSchema;
}

/**
 * Pulumi passes structured values as JSON text and scalars as their text ("true", "3", "dev").
 * JSON parsing recovers both; text that is not JSON is a plain string.
 */
function decodeValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Validates a whole stack's config map. `file` is the stack file the values came from; `secretKeys` the
 * full keys ("ns:key") it gives as `secure:` values: a key of SECRET_KEYS given otherwise is refused.
 */
export function parseStackConfig(raw: Readonly<Record<string, string>>, file: string, secretKeys: readonly string[] = []): StackConfig {
  const problems: ConfigProblem[] = [];
  for (const key of SECRET_KEYS) {
    const fullKey = `${PROJECT}:${key}`;
    if (fullKey in raw && !secretKeys.includes(fullKey)) {
      problems.push({
        key: fullKey,
        message: `is plain text in the stack file, which is committed; a secret must be encrypted. Remove the line and run: pulumi config set --secret ${fullKey} <value> (it writes the value as secure:)`,
      });
    }
  }
  const entries: [string, unknown][] = [];
  for (const [fullKey, text] of Object.entries(raw)) {
    const sep = fullKey.indexOf(":");
    const namespace = sep < 0 ? PROJECT : fullKey.slice(0, sep);
    const key = sep < 0 ? fullKey : fullKey.slice(sep + 1);
    if (namespace === PROJECT) {
      entries.push([key, decodeValue(text)]);
    } else if (!(FOREIGN_NAMESPACES as readonly string[]).includes(namespace)) {
      problems.push({
        key: fullKey,
        message: `unknown config namespace '${namespace}'; allowed: ${[PROJECT, ...FOREIGN_NAMESPACES].join(", ")}${suggest(namespace, [PROJECT, ...FOREIGN_NAMESPACES])}`,
      });
    }
  }
  // Own properties even for a key such as __proto__, which the schema then refuses as unknown.
  const ours: Record<string, unknown> = Object.fromEntries(entries);
  let result: ReturnType<typeof stackConfigSchema.safeParse>;
  // The KFP profile's values (by environment, or kfp.profile) go under the stack's own before validation.
  let profiled: Record<string, unknown> = ours;
  try {
    profiled = withKfpProfile(ours);
    result = stackConfigSchema.safeParse(profiled, { reportInput: true });
  } catch (e) {
    throw new ConfigError(file, [...problems, unexpected(culprits(ours), e)]);
  }
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, profiled, ours)));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data as StackConfig;
}

/** The top-level keys without which the schema no longer throws: the values a rule choked on. */
function culprits(ours: Record<string, unknown>): string[] {
  const keys = Object.keys(ours).filter((key) => {
    const { [key]: _, ...rest } = ours;
    try {
      stackConfigSchema.safeParse(rest);
      return true;
    } catch {
      return false;
    }
  });
  return keys.length > 0 ? keys : Object.keys(ours);
}

/** What a YAML writer should write where a structure is expected. */
const SHAPES: Record<string, string> = {
  object: "a map (key: value lines)",
  record: "a map by name (name: value lines), not a list",
  array: "a list (- item lines, or [a, b])",
};

function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return `${PROJECT}:`;
  const [top, ...rest] = path;
  return `${PROJECT}:${String(top)}${rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `input` is what the schema read (the profile laid under the stack file); `written`, the stack file alone. */
function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>, written: Record<string, unknown>): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(issue.path, input);
    return issue.keys.map((k) => ({
      key: keyPath([...issue.path, k]),
      message: `unknown key; allowed here: ${allowed.join(", ")}${suggest(k, allowed)}. Remove or rename it.`,
    }));
  }
  let path = issue.path;
  let found = (issue as { input?: unknown }).input;
  let expectation: string;
  switch (issue.code) {
    case "invalid_type":
      expectation = `expected ${SHAPES[issue.expected] ?? issue.expected}`;
      break;
    case "too_big":
      expectation = issue.maximum === Number.MAX_SAFE_INTEGER ? "too large for a whole number; use a realistic value" : issue.message;
      break;
    case "invalid_value":
      // A schema's own word on a refused value (why it is gone, what to pick) follows the allowed list.
      expectation = `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${issue.message.startsWith("Invalid ") ? "" : `: ${issue.message}`}`;
      break;
    case "invalid_union": {
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      if (options && discriminator) {
        found = (found as Record<string, unknown> | undefined)?.[discriminator];
        if (path[path.length - 1] !== discriminator) path = [...path, discriminator];
        expectation = `allowed: ${options.map((o) => JSON.stringify(o)).join(", ")}`;
      } else expectation = issue.message;
      break;
    }
    default:
      expectation = issue.message;
  }
  // A refused value the stack file never wrote (the schema's or the profile's) is a default: name the key the user can set, not an index into it.
  const setAt = path.findIndex((_, i) => !isSet(written, path.slice(0, i + 1)));
  if (found !== undefined && setAt >= 0) {
    const index = path.findIndex((segment, i) => i >= setAt && typeof segment === "number");
    const key = index >= 0 ? path.slice(0, index) : path;
    return [{ key: keyPath(key), message: `not set, so its default applies (${show(found)}); ${expectation}. Set it in the stack file.` }];
  }
  const message =
    found === undefined
      ? `required value is missing; ${expectation}. Add it to the stack file.`
      : `found ${show(found)}; ${expectation}${quoteHint(issue, found)}.`;
  return [{ key: keyPath(path), message }];
}

/** Whether the stack file holds a value at `path`. */
function isSet(input: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = input;
  for (const segment of path) {
    if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, segment)) return false;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return true;
}

/**
 * YAML reads an unquoted 12.8, 64 or 123456789012 as a number (and true/false/yes as booleans): where the
 * schema wants text (a quantity, a version, an id), say to quote it. The number YAML parsed may already
 * differ from what was typed (12.80 is 12.8), so the hint shows the number as read.
 */
function quoteHint(issue: z.core.$ZodIssue, found: unknown): string {
  if (typeof found !== "number" && typeof found !== "boolean") return "";
  const wantsText =
    (issue.code === "invalid_type" && issue.expected === "string") ||
    (issue.code === "invalid_value" && issue.values.length > 0 && issue.values.every((v) => typeof v === "string"));
  return wantsText ? `; YAML read an unquoted ${typeof found}: write it in quotes, "${String(found)}"` : "";
}

/** The keys the schema allows at `path`, following discriminated unions by the value in `input`. */
function allowedKeysAt(path: readonly PropertyKey[], input: unknown): string[] {
  let node: JsonSchema | undefined = stackConfigJsonSchema();
  let value: unknown = input;
  for (const segment of path) {
    node = pickBranch(node, value)?.properties?.[String(segment)];
    value = (value as Record<string, unknown> | undefined)?.[String(segment)];
  }
  const here = pickBranch(node, value);
  // Maps keyed by an enum (image digests) list their allowed keys as propertyNames.
  const names = (here?.propertyNames as { enum?: string[] } | undefined)?.enum ?? [];
  return [...Object.keys(here?.properties ?? {}), ...names];
}

function pickBranch(node: JsonSchema | undefined, value: unknown): JsonSchema | undefined {
  const branches = node?.oneOf ?? node?.anyOf;
  if (!branches) return node;
  return (
    branches.find((b) =>
      Object.entries(b.properties ?? {}).some(
        ([k, p]) => p.const !== undefined && (value as Record<string, unknown> | undefined)?.[k] === p.const,
      ),
    ) ?? branches[0]
  );
}

/** " (did you mean 'x'?)" when one allowed word is a small edit away from the typo. */
export function suggest(word: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean '${best}'?)` : "";
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
