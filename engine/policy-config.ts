// The `--policy-pack-config` file and the engine's reconciliation of it before Configure, as the Pulumi
// CLI does it (pkg/resource/analyzer/config.go): schema defaults and each policy's level, then the
// pack's initialConfig, then the file ("all" first, then per policy), then validation against each
// policy's config schema.
import Ajv from "ajv";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

export interface PolicyConfig {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}
export type PolicyPackConfig = Record<string, PolicyConfig>;

/** What the analyzer says about one policy (GetAnalyzerInfo). */
export interface PolicyInfo {
  name: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: { properties: Record<string, Record<string, unknown>>; required?: string[] };
}

export class PolicyConfigError extends Error {
  override name = "PolicyConfigError";
}

const isLevel = (value: unknown): value is EnforcementLevel => ENFORCEMENT_LEVELS.includes(value as EnforcementLevel);

/** Parses a config file: `"policy": "<level>"` or `"policy": {"enforcementLevel": "<level>", ...properties}`. */
export function parsePolicyPackConfig(text: string, file: string): PolicyPackConfig {
  if (text.trim() === "") return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PolicyConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new PolicyConfigError(`${file}: expected a JSON object of policy names`);
  const result: PolicyPackConfig = {};
  for (const [policy, value] of Object.entries(doc)) {
    const where = `${file}: ${policy}`;
    if (typeof value === "string") {
      if (!isLevel(value)) throw new PolicyConfigError(`${where}: "${value}" is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
      result[policy] = { enforcementLevel: value };
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new PolicyConfigError(`${where}: enforcementLevel ${JSON.stringify(enforcementLevel)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`);
      }
      const entry: PolicyConfig = { ...(enforcementLevel ? { enforcementLevel } : {}), ...(Object.keys(properties).length > 0 ? { properties } : {}) };
      if (Object.keys(entry).length > 0) result[policy] = entry;
    } else {
      throw new PolicyConfigError(`${where}: must be an enforcement level or an object`);
    }
  }
  return result;
}

function apply(result: PolicyPackConfig, given: PolicyPackConfig): void {
  const all = given.all?.enforcementLevel;
  if (all) for (const entry of Object.values(result)) entry.enforcementLevel = all;
  // Like the engine, "all" itself lands in the result too; the analyzer ignores names it has no policy for.
  for (const [policy, entry] of Object.entries(given)) {
    const current = result[policy] ?? {};
    result[policy] = {
      enforcementLevel: entry.enforcementLevel ?? current.enforcementLevel,
      properties: entry.properties || current.properties ? { ...current.properties, ...entry.properties } : undefined,
    };
  }
}

/** The config the engine sends to Configure; throws with every validation error, one per line. */
export function reconcilePolicyPackConfig(policies: PolicyInfo[], initial: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
  const result: PolicyPackConfig = {};
  for (const policy of policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
    result[policy.name] = {
      enforcementLevel: policy.enforcementLevel,
      properties: defaults.length > 0 ? Object.fromEntries(defaults.map(([key, schema]) => [key, schema.default])) : undefined,
    };
  }
  apply(result, initial);
  apply(result, given);

  const ajv = new Ajv({ allErrors: true, strict: false });
  const errors: string[] = [];
  for (const policy of policies) {
    if (!policy.configSchema) continue;
    const validate = ajv.compile({ type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required ?? [] });
    if (!validate(result[policy.name]?.properties ?? {})) {
      for (const e of validate.errors ?? []) errors.push(`${policy.name}: ${e.instancePath ? `${e.instancePath.slice(1)} ` : ""}${e.message}`);
    }
  }
  if (errors.length > 0) throw new PolicyConfigError(errors.join("\n"));
  return result;
}
