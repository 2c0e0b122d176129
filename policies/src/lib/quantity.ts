// Kubernetes quantities ("250m", "1.5", "512Mi", "1e3") as plain numbers, for comparing limits with requests.
const UNIT: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** The value of a quantity; undefined when absent or malformed. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d+))?([a-zA-Z]*)$/.exec(value.trim());
  if (!match || !(match[3] in UNIT)) return undefined;
  return Number(match[1]) * 10 ** Number(match[2] ?? 0) * UNIT[match[3]];
}
