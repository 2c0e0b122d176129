// A policy's knobs. One spec feeds both its JSON schema (the CLI fills schema defaults in before it
// calls Configure) and the fallback when the pack runs unconfigured, so both paths see the same values.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

type Knob = string | number | boolean | string[];

export interface Knobs<T extends Record<string, Knob>> {
  readonly configSchema: PolicyConfigSchema;
  /** The configured values over the defaults. */
  read(args: { getConfig<C extends object>(): C }): T;
}

export function knobs<T extends Record<string, Knob>>(spec: { [K in keyof T]: PolicyConfigJSONSchema & { default: T[K] } }): Knobs<T> {
  const defaults = Object.fromEntries(Object.entries(spec).map(([key, schema]) => [key, schema.default])) as T;
  return {
    configSchema: { properties: spec as Record<string, PolicyConfigJSONSchema> },
    read: (args) => ({ ...defaults, ...args.getConfig<Partial<T>>() }),
  };
}

/** JSON schema of a list of strings. */
export function stringList(description: string, defaults: string[]): PolicyConfigJSONSchema & { default: string[] } {
  return { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true, description, default: defaults };
}
