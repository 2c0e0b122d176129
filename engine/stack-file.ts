// Reads stacks/Pulumi.<stack>.yaml the way the Pulumi CLI hands it to a program: keys namespaced
// ("ns:key"), scalars as text, structured values as JSON text, `secure:` values marked secret.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, YAMLParseError } from "yaml";
import { PROJECT } from "../modules/config/schema";
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
  const rawConfig = top.config ?? {};
  if (typeof rawConfig !== "object" || rawConfig === null || Array.isArray(rawConfig)) {
    throw new StackFileError(`${file}: 'config' must be a mapping of keys to values; found ${JSON.stringify(rawConfig)}.`);
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    const { text, secret } = encode(value);
    config[fullKey] = text;
    if (secret) secretKeys.push(fullKey);
  }
  return { stack, file, config, secretKeys };
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
