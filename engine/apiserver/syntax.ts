// The name and label syntaxes the Kubernetes API server validates (k8s.io/apimachinery
// pkg/util/validation/validation.go and pkg/api/validation/path): each returns an error text or undefined.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** IsDNS1123Label: lowercase alphanumerics and '-', at most 63. */
export function dns1123Label(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS1123_LABEL.test(value)) return "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)";
  return undefined;
}

/** IsDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253. */
export function dns1123Subdomain(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(value)) return "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";
  return undefined;
}

/** IsDNS1035Label: a DNS-1123 label that starts with a letter (Service names). */
export function dns1035Label(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS1035_LABEL.test(value)) return "must be a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, ending with a letter or digit)";
  return undefined;
}

/** ValidatePathSegmentName (RBAC object names): anything but '.', '..', '/' and '%'. */
export function pathSegmentName(value: string): string | undefined {
  if (value === "." || value === "..") return `may not be '${value}'`;
  if (/[/%]/.test(value)) return "may not contain '/' or '%'";
  return undefined;
}

/** IsQualifiedName (label and annotation keys): optional DNS-subdomain prefix and '/', then a name of at most 63. */
export function qualifiedName(value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length > 2) return "may contain at most one '/'";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix.length === 0) return "has an empty prefix before '/'";
    const bad = dns1123Subdomain(prefix);
    if (bad) return `prefix ${bad}`;
  }
  if (name.length === 0) return "has an empty name part";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME.test(name)) return "name part must be alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

/** IsValidLabelValue: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export function labelValue(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  if (value.length > 63) return "must be no more than 63 characters";
  if (!LABEL_VALUE.test(value)) return "must be empty or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  return undefined;
}

/** IsConfigMapKey (ConfigMap and Secret data keys). */
export function configMapKey(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!CONFIG_MAP_KEY.test(value)) return "must consist of alphanumerics, '-', '_' or '.'";
  if (value === "." || value === "..") return `may not be '${value}'`;
  return undefined;
}

/** IsValidPortName (IANA_SVC_NAME): at most 15, lowercase alphanumerics and '-', a letter, no '--'. */
export function portName(value: string): string | undefined {
  if (value.length > 15) return "must be no more than 15 characters";
  if (!IANA_SVC_NAME.test(value)) return "must contain only lowercase alphanumerics and '-', starting and ending with an alphanumeric";
  if (value.includes("--")) return "must not contain consecutive hyphens";
  if (!/[a-z]/.test(value)) return "must contain at least one letter";
  return undefined;
}

/** IsValidPortNum: 1-65535. */
export function portNumber(value: unknown): string | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : "must be between 1 and 65535, inclusive";
}

/** A port given as a number or an IANA_SVC_NAME (Service targetPort, probe ports). */
export function numberOrPortName(value: unknown): string | undefined {
  return typeof value === "string" && !/^\d+$/.test(value) ? portName(value) : portNumber(typeof value === "string" ? Number(value) : value);
}
