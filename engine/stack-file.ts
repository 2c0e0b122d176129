// Reads stacks/Pulumi.<stack>.yaml the way the Pulumi CLI hands it to a program: keys namespaced
// ("ns:key"), scalars as text, structured values as JSON text, `secure:` values marked secret.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, YAMLParseError } from "yaml";
import { PROJECT, SECRET_KEYS } from "../modules/config/schema";
import { suggest } from "../modules/config/parse";
import { stackFilePath } from "../modules/config";

/** A stack name that cannot be planned (unknown stack, unreadable or malformed file): exit 1. */
export class StackFileError extends Error {}

export interface StackFile {
  stack: string;
  /** Path relative to the project root, as messages show it. */
  file: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** Every stack with a stack file, sorted. */
export function listStacks(root: string): string[] {
  const dir = join(root, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Stand-in for a `secure:` value: the CLI decrypts it, the offline engine cannot. */
export const OFFLINE_SECRET_VALUE = "offline-placeholder-for-secure-value";

export function loadStackFile(root: string, stack: string): StackFile {
  const file = stackFilePath(stack);
  const path = join(root, file);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(path)) {
    const known = listStacks(root);
    throw new StackFileError(
      `${file}: no such stack file; unknown stack '${stack}'. Known stacks: ${known.join(", ") || "(none)"}. Create the file or pick a known stack.`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"), { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const where = e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "unknown position";
      throw new StackFileError(`${file}: malformed YAML at ${where}: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}. Fix the YAML syntax there.`);
    }
    throw e;
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new StackFileError(`${file}: expected a mapping with a 'config:' key at the top level; found ${Array.isArray(doc) ? "a list" : typeof doc}.`);
  }
  const top = doc as Record<string, unknown>;
  // A misspelt `config:` would leave every key unset: name it instead of listing what went missing.
  const unknown = Object.keys(top).filter((k) => !(STACK_FILE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new StackFileError(
      `${file}: ${unknown[0]}: unknown top-level key; a stack file holds ${STACK_FILE_KEYS.join(", ")}${suggest(unknown[0], STACK_FILE_KEYS)}. Remove or rename it.`,
    );
  }
  const rawConfig = top.config ?? {};
  if (typeof rawConfig !== "object" || rawConfig === null || Array.isArray(rawConfig)) {
    throw new StackFileError(`${file}: 'config' must be a mapping of keys to values; found ${JSON.stringify(rawConfig)}.`);
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    const { text, secret } = encode(value);
    const plain = secret && (SECRET_KEYS as readonly string[]).map((k) => `${PROJECT}:${k}`).includes(fullKey) ? plainLeaf(value) : undefined;
    if (plain !== undefined) {
      // The CLI hands the program a key with any `secure:` inside as one secret, so only the file shows a
      // plain value beside encrypted ones.
      throw new StackFileError(
        `${file}: ${fullKey}${plain.map((p) => `.${p}`).join("")}: is plain text in the stack file, which is committed; a secret must be encrypted. Remove the line and run: pulumi config set --secret --path '${fullKey}${plain.map((p) => `.${p}`).join("")}' <value> (it writes the value as secure:)`,
      );
    }
    config[fullKey] = text;
    if (secret) secretKeys.push(fullKey);
  }
  return { stack, file, config, secretKeys };
}

/** The top-level keys of a Pulumi stack file (Pulumi docs, "Pulumi configuration": stack settings files). */
export const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"] as const;

/** The path of the first value that is neither `{secure: ...}` nor a container of such values. */
function plainLeaf(value: unknown, path: string[] = []): string[] | undefined {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === "secure") return undefined;
    for (const [k, v] of entries) {
      const found = plainLeaf(v, [...path, k]);
      if (found) return found;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = plainLeaf(v, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}

/** Encodes one value as the CLI does; `{secure: ...}` anywhere inside makes the key secret. */
export function encode(value: unknown): { text: string; secret: boolean } {
  let secret = false;
  const replaceSecure = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(replaceSecure);
    if (v && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 1 && entries[0][0] === "secure") {
        secret = true;
        return OFFLINE_SECRET_VALUE;
      }
      return Object.fromEntries(entries.map(([k, x]) => [k, replaceSecure(x)]));
    }
    return v;
  };
  const plain = replaceSecure(value);
  return { text: typeof plain === "string" ? plain : JSON.stringify(plain), secret };
}
