// Kubernetes resource quantities: parsing for comparisons (limit >= request) and zod types for config.
import { z } from "zod";
import type { ContainerResources } from "../k8s/workload";

const SUFFIX: Record<string, number> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d+))?([a-zA-Z]*)$/;

/** Parses a Kubernetes quantity ("250m", "1.5", "512Mi", "1e3") to a plain number; undefined when absent or malformed. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match || !(match[3] in SUFFIX)) return undefined;
  return Number(match[1]) * 10 ** Number(match[2] ?? 0) * SUFFIX[match[3]];
}

export const cpuQuantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?m?$/, 'expected a CPU quantity such as "250m" or "1"')
  .refine((q) => (parseQuantity(q) ?? 0) > 0, "expected a CPU quantity above zero");

export const memoryQuantity = z
  .string()
  .regex(/^[0-9]+(Ki|Mi|Gi|Ti)$/, 'expected a memory quantity in binary units such as "512Mi" or "2Gi"')
  .refine((q) => (parseQuantity(q) ?? 0) > 0, "expected a memory quantity above zero");

export const storageQuantity = z
  .string()
  .regex(/^[0-9]+(Mi|Gi|Ti)$/, 'expected a storage size such as "20Gi"');


/**
 * A zod type for one container's requests and limits, every field defaulted so a stack file may
 * override just the one number it cares about. Limits must not be below requests.
 */
export function containerResources(defaults: ContainerResources) {
  return z
    .strictObject({
      requests: z
        .strictObject({
          cpu: cpuQuantity.default(defaults.requests.cpu).describe("CPU request."),
          memory: memoryQuantity.default(defaults.requests.memory).describe("Memory request."),
        })
        .prefault({}),
      limits: z
        .strictObject({
          cpu: cpuQuantity.optional().describe("CPU limit; unset by default so pods are not CPU-throttled."),
          memory: memoryQuantity.default(defaults.limits.memory).describe("Memory limit (always set)."),
        })
        .prefault(defaults.limits.cpu ? { cpu: defaults.limits.cpu } : {}),
    })
    .prefault({})
    .superRefine((r, ctx) => {
      for (const kind of ["cpu", "memory"] as const) {
        const request = parseQuantity(r.requests[kind]);
        const limitText = r.limits[kind];
        const limit = limitText === undefined ? undefined : parseQuantity(limitText);
        if (request !== undefined && limit !== undefined && limit < request) {
          ctx.addIssue({
            code: "custom",
            path: ["limits", kind],
            input: limitText,
            message: `the ${kind} limit must be at least the request (${r.requests[kind]})`,
          });
        }
      }
    });
}
