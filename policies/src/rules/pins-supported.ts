// A pin past the end of its support fails: a stack would keep running software its upstream no longer
// patches, or pay for extended support without anyone deciding to. The calendar is the versions table's
// (modules/versions.ts, each date with its source); which pins a stack uses comes from its own resources
// (modules/facts/support.ts), the same list `npm run plan` prints. An environment may allow a pin past its
// end for a while, with a reason and an expiry, in its policy config.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { message } from "../lib/report";
import { ROOT_STACK } from "../lib/stack";
import { endDate, isoDay, pinsInUse, supportState, type PinInUse, type SupportResource } from "../../../modules/facts/support";

const NAME = "pins-supported";

/** One pin allowed past its end: which (table path and value), why, and until when. */
export interface AllowedPin {
  pin: string;
  version: string;
  reason: string;
  until: string;
}

/** The knob's JSON schema (the CLI validates the config against it, and fills in the default). */
const configSchema: PolicyConfigSchema = {
  properties: {
    allow: {
      type: "array",
      description:
        "Pins allowed past the end of their support, each { pin (its path in modules/versions.ts, as the plan prints it), version, reason, until (YYYY-MM-DD, the day the allowance ends) }.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["pin", "version", "reason", "until"],
        properties: {
          pin: { type: "string", minLength: 1 },
          version: { type: "string", minLength: 1 },
          reason: { type: "string", minLength: 10 },
          until: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
        },
      },
      default: [],
    },
  },
};

export interface PinsSupportedOptions {
  /** The day to judge on; the real date unless a test fixes one. */
  today?: () => Date;
  /** Which pins the stack uses, with their calendar; modules/facts/support.ts unless a test substitutes a calendar. */
  pins?: (resources: SupportResource[], gpuDrivers: string[]) => PinInUse[];
}

/** The GPU drivers of the stack's pools, from main()'s `gpuPools` output on the root stack. */
function gpuDrivers(resources: PolicyResource[]): string[] {
  const pools = resources.find((r) => r.type === ROOT_STACK)?.props.gpuPools;
  return Array.isArray(pools) ? pools.flatMap((p) => (typeof p?.driver === "string" ? [p.driver] : [])) : [];
}

export function pinsSupportedPolicy(options: PinsSupportedOptions = {}): StackValidationPolicy {
  const today = options.today ?? (() => new Date());
  const pins = options.pins ?? pinsInUse;
  return {
    name: NAME,
    description: "Every pinned version the stack uses is within its upstream's support (modules/versions.ts calendar), or allowed past it with a reason until a date.",
    severity: "high",
    configSchema,
    validateStack: (args, report) => {
      const allow = args.getConfig<{ allow?: AllowedPin[] }>().allow ?? [];
      const now = today();
      for (const pin of pins(args.resources.map((r) => ({ type: r.type, props: r.props })), gpuDrivers(args.resources))) {
        if (supportState(pin, now).state !== "ended") continue;
        const s = pin.support!;
        const allowed = allow.find((a) => a.pin === pin.pin && a.version === pin.version);
        if (allowed && endDate(allowed.until) > now) continue;
        report(
          message(
            NAME,
            `${pin.what} ${pin.version}`,
            `${pin.pin} ${pin.version} left ${s.phase} on ${s.ends} (${s.source}, read ${s.read})${s.then ? `; now ${s.then}` : ""}${allowed ? `; its allowance (${allowed.reason}) ended on ${allowed.until}` : ""}`,
            `move ${pin.pin} in modules/versions.ts to a supported version (docs/pin-updates.md), or allow it for a while in this environment's policy config: "${NAME}": { "allow": [{ "pin": "${pin.pin}", "version": "${pin.version}", "reason": "<why it stays>", "until": "${isoDay(new Date(now.getTime() + 90 * 86_400_000))}" }] }`,
          ),
        );
      }
    },
  };
}

export const pinsSupported = pinsSupportedPolicy();
