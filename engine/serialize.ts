// Pulumi's wire form of resource properties -> plain JSON for out/ files and policies.
// Secrets become "[secret]" leaf by leaf (the object's shape survives, so a Secret's stringData is
// still a map), unknowns become "[unknown]", resource references become their URN.

/** Signature key and values of Pulumi's special wire objects (sdk/nodejs/runtime/rpc.ts). */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** The wire value of an unknown (computed during preview). */
export const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET_TEXT = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toPlainJson(value: unknown, secret = false): Json {
  if (value === UNKNOWN_WIRE) return UNKNOWN_TEXT;
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => toPlainJson(v, secret));
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
      case SECRET_SIG:
        return toPlainJson(obj.value, true);
      case OUTPUT_SIG:
        if (!("value" in obj)) return UNKNOWN_TEXT;
        return toPlainJson(obj.value, secret || obj.secret === true);
      case RESOURCE_SIG:
        return String(obj.urn);
      case ASSET_SIG:
      case ARCHIVE_SIG:
        return `[asset ${String(obj.path ?? obj.uri ?? "inline")}]`;
    }
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(obj)) out[k] = toPlainJson(v, secret);
    return out;
  }
  if (secret) return SECRET_TEXT;
  return value as Json;
}

/** Wraps the named top-level properties as secrets, the way the engine honours additionalSecretOutputs. */
export function markSecret(state: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = { ...state };
  for (const key of keys) {
    if (key in out && !(typeof out[key] === "object" && (out[key] as Record<string, unknown>)?.[SIG] === SECRET_SIG)) {
      out[key] = { [SIG]: SECRET_SIG, value: out[key] };
    }
  }
  return out;
}

/** True when any leaf of the wire value is unknown. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_WIRE) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
