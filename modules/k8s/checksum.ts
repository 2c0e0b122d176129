// A pod template annotation that changes whenever the configuration its pods read changes: Kubernetes rolls a
// Deployment (or replaces an immutable Job) only when the template changes, not when a ConfigMap does.
import { createHash } from "node:crypto";

/** SHA-256 of named contents, independent of the order the names come in. */
export function contentChecksum(contents: Readonly<Record<string, string>>): string {
  const entries = Object.entries(contents).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}
