// Pod Security Admission labels for a namespace: one level enforced, and the same level for warnings
// and audit, so users see a warning only for what would really be refused.

/** Levels of the Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return Object.fromEntries(["enforce", "warn", "audit"].map((mode) => [`pod-security.kubernetes.io/${mode}`, level]));
}
