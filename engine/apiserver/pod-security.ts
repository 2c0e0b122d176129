// Pod Security Admission as Kubernetes 1.35 enforces it: the checks of k8s.io/pod-security-admission
// v0.35.6 (= kubernetes v1.35.6 staging/src/k8s.io/pod-security-admission), each at its latest version,
// cited below as policy/<file>:<line>. A namespace's `pod-security.kubernetes.io/enforce` level picks the
// checks (registry.go:140-191: baseline checks, or restricted ones plus the baseline checks they do not
// override); each failing check gives a reason and a detail, joined as the server joins them
// (checks.go:106-120; admission/admission.go:480-484: `violates PodSecurity "<level>:latest": ...`).
//
// Pods are refused at creation. A Deployment, StatefulSet, DaemonSet, Job or CronJob is only warned about
// (admission.go:393-450: ValidatePodController never enforces), so its object is created and its pods
// are then refused one by one: `pulumi up` waits for pods that never come. The plan judges the template.

type Obj = Record<string, any>;

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityResult {
  /** The check's ID (policy/registry.go orders by it). */
  readonly check: string;
  /** ForbiddenReason, e.g. `allowPrivilegeEscalation != false`. */
  readonly reason: string;
  /** ForbiddenDetail, e.g. `containers "init", "main" must set securityContext.allowPrivilegeEscalation=false`. */
  readonly detail: string;
}

interface Check {
  readonly id: string;
  readonly level: "baseline" | "restricted";
  /** Baseline checks this one replaces at restricted (VersionedCheck.OverrideCheckIDs). */
  readonly overrides?: readonly string[];
  readonly run: (meta: Obj, spec: Obj) => { reason: string; detail: string } | undefined;
}

/** helpers.go:25-37 */
const joinQuote = (items: readonly string[]) => (items.length === 0 ? "" : `"${items.join('", "')}"`);
const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
/** sets.String.List(): sorted, unique (Go's byte order; the values here are ASCII). */
const sortedSet = (items: Iterable<string>) => [...new Set(items)].sort();
/** helpers.go:41-43: a pod in a user namespace (hostUsers: false) relaxes some checks from 1.35. */
const inUserNamespace = (spec: Obj) => spec.hostUsers === false;
/** Windows pods are exempt from some restricted checks from 1.25 (e.g. check_allowPrivilegeEscalation.go:86-93). */
const isWindows = (spec: Obj) => spec.os?.name === "windows";

/** visitor.go:27-37: init containers, then containers, then ephemeral containers. */
function containers(spec: Obj): Obj[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}
const names = (list: Obj[]) => list.map((c) => String(c.name));
const containerPhrase = (list: string[]) => `${pluralize("container", "containers", list.length)} ${joinQuote(list)}`;

/**
 * The pod and the containers whose securityContext sets `field` with a `type` that `valid` refuses (the
 * shape of the AppArmor and seccomp checks): `setters` as the server phrases them ("pod", `containers "a"`),
 * the refused types, whether the pod sets a valid one, and the containers that set none.
 */
function typeSetters(spec: Obj, field: string, valid: (t: unknown) => boolean) {
  const setters: string[] = [];
  const values = new Set<string>();
  const pod = spec.securityContext?.[field];
  if (pod != null && !valid(pod.type)) {
    setters.push("pod");
    values.add(String(pod.type ?? ""));
  }
  const bad: string[] = [];
  const unset: string[] = [];
  for (const c of containers(spec)) {
    const value = c.securityContext?.[field];
    if (value == null) unset.push(String(c.name));
    else if (!valid(value.type)) {
      bad.push(String(c.name));
      values.add(String(value.type ?? ""));
    }
  }
  if (bad.length) setters.push(containerPhrase(bad));
  return { setters, values, podValid: pod != null && valid(pod.type), unset };
}

/** check_privileged.go:56-75 */
const privileged: Check = {
  id: "privileged",
  level: "baseline",
  run: (_m, spec) => {
    const bad = names(containers(spec).filter((c) => c.securityContext?.privileged === true));
    return bad.length ? { reason: "privileged", detail: `${containerPhrase(bad)} must not set securityContext.privileged=true` } : undefined;
  },
};

/** check_hostNamespaces.go:58-82 */
const hostNamespaces: Check = {
  id: "hostNamespaces",
  level: "baseline",
  run: (_m, spec) => {
    const set = [["hostNetwork", spec.hostNetwork], ["hostPID", spec.hostPID], ["hostIPC", spec.hostIPC]].filter(([, v]) => v === true).map(([k]) => `${k}=true`);
    return set.length ? { reason: "host namespaces", detail: set.join(", ") } : undefined;
  },
};

/** check_hostPathVolumes.go:58-76 */
const hostPathVolumes: Check = {
  id: "hostPathVolumes",
  level: "baseline",
  run: (_m, spec) => {
    const bad = (spec.volumes ?? []).filter((v: Obj) => v.hostPath != null).map((v: Obj) => String(v.name));
    return bad.length ? { reason: "hostPath volumes", detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}` } : undefined;
  },
};

/** check_hostPorts.go:60-91 */
const hostPorts: Check = {
  id: "hostPorts",
  level: "baseline",
  run: (_m, spec) => {
    const bad: string[] = [];
    const ports = new Set<string>();
    for (const c of containers(spec)) {
      const used = (c.ports ?? []).filter((p: Obj) => p.hostPort !== undefined && p.hostPort !== 0);
      for (const p of used) ports.add(String(p.hostPort));
      if (used.length) bad.push(String(c.name));
    }
    if (!bad.length) return undefined;
    const list = sortedSet(ports);
    return { reason: "hostPort", detail: `${containerPhrase(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}` };
  },
};

/** check_capabilities_baseline.go:61-110 */
const CAPABILITIES_ALLOWED = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const capabilitiesBaseline: Check = {
  id: "capabilities_baseline",
  level: "baseline",
  run: (_m, spec) => {
    const bad: string[] = [];
    const caps = new Set<string>();
    for (const c of containers(spec)) {
      const added: string[] = (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => !CAPABILITIES_ALLOWED.has(cap));
      added.forEach((cap) => caps.add(cap));
      if (added.length) bad.push(String(c.name));
    }
    return bad.length
      ? { reason: "non-default capabilities", detail: `${containerPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` }
      : undefined;
  },
};

/** check_appArmorProfile.go:67-143 (annotation prefix and values: core/v1 DeprecatedAppArmorBeta*). */
const appArmorProfile: Check = {
  id: "appArmorProfile",
  level: "baseline",
  run: (meta, spec) => {
    const allowedType = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
    const allowedAnnotation = (v: string) => v.length === 0 || v === "runtime/default" || v.startsWith("localhost/");
    const { setters, values } = typeSetters(spec, "appArmorProfile", allowedType);
    const forbidden = Object.entries((meta.annotations ?? {}) as Record<string, string>)
      .filter(([k, v]) => k.startsWith("container.apparmor.security.beta.kubernetes.io/") && !allowedAnnotation(v))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .sort();
    const valueList = [...sortedSet(values), ...forbidden];
    if (forbidden.length) setters.push(pluralize("annotation", "annotations", forbidden.length));
    if (!setters.length) return undefined;
    return {
      reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", valueList.length),
      detail: `${setters.join(" and ")} must not set AppArmor profile type to ${joinQuote(valueList)}`,
    };
  },
};

/** check_seLinuxOptions.go:77-172, at 1.31+ (container_engine_t allowed). */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const seLinuxOptions: Check = {
  id: "seLinuxOptions",
  level: "baseline",
  run: (_m, spec) => {
    const types = new Set<string>();
    let user = false;
    let role = false;
    const valid = (o: Obj) => {
      let ok = true;
      const type = String(o.type ?? "");
      if (!SELINUX_TYPES.has(type)) {
        ok = false;
        types.add(type);
      }
      if (o.user) (ok = false), (user = true);
      if (o.role) (ok = false), (role = true);
      return ok;
    };
    const setters: string[] = [];
    if (spec.securityContext?.seLinuxOptions != null && !valid(spec.securityContext.seLinuxOptions)) setters.push("pod");
    const bad = names(containers(spec).filter((c) => c.securityContext?.seLinuxOptions != null && !valid(c.securityContext.seLinuxOptions)));
    if (bad.length) setters.push(containerPhrase(bad));
    if (!setters.length) return undefined;
    const data = [
      ...(types.size ? [`${pluralize("type", "types", types.size)} ${joinQuote(sortedSet(types))}`] : []),
      ...(user ? ["user may not be set"] : []),
      ...(role ? ["role may not be set"] : []),
    ];
    return { reason: "seLinuxOptions", detail: `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}` };
  },
};

/** procMount_1_0, check_procMount_baseline.go:66-97 */
function procMountUnmasked(spec: Obj) {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of containers(spec)) {
    const pm = c.securityContext?.procMount;
    if (pm == null || pm === "Default") continue;
    bad.push(String(c.name));
    types.add(String(pm));
  }
  return bad.length ? { reason: "procMount", detail: `${containerPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}` } : undefined;
}
/** check_procMount_baseline.go:48-62,100-106: at 1.35, any value in a user namespace. */
const procMount: Check = { id: "procMount", level: "baseline", run: (_m, spec) => (inUserNamespace(spec) ? undefined : procMountUnmasked(spec)) };

const validSeccomp = (t: unknown) => t === "Localhost" || t === "RuntimeDefault";

/** check_seccompProfile_baseline.go:121-171 (1.19+: the fields; the alpha annotations only before). */
const seccompProfileBaseline: Check = {
  id: "seccompProfile_baseline",
  level: "baseline",
  run: (_m, spec) => {
    const { setters, values } = typeSetters(spec, "seccompProfile", validSeccomp);
    return setters.length ? { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` } : undefined;
  },
};

/** check_sysctls.go:85-143, the 1.32 set. */
const SYSCTLS_ALLOWED = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
]);
const sysctls: Check = {
  id: "sysctls",
  level: "baseline",
  run: (_m, spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s: Obj) => String(s.name)).filter((n: string) => !SYSCTLS_ALLOWED.has(n));
    return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
  },
};

/** check_windowsHostProcess.go:59-102 */
const windowsHostProcess: Check = {
  id: "windowsHostProcess",
  level: "baseline",
  run: (_m, spec) => {
    const setters: string[] = [];
    if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push("pod");
    const bad = names(containers(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true));
    if (bad.length) setters.push(containerPhrase(bad));
    return setters.length ? { reason: "hostProcess", detail: `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
  },
};

/** check_hostProbesAndhostLifecycle.go:76-150 (1.34+). */
const hostProbesAndHostLifecycle: Check = {
  id: "hostProbesAndHostLifecycle",
  level: "baseline",
  run: (_m, spec) => {
    const bad = new Set<string>();
    const hosts = new Set<string>();
    const hostsOf = (h: Obj | undefined) => [h?.httpGet?.host, h?.tcpSocket?.host].filter((x) => typeof x === "string" && x !== "") as string[];
    for (const c of containers(spec)) {
      for (const handler of [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]) {
        const found = hostsOf(handler);
        if (found.length) {
          bad.add(String(c.name));
          found.forEach((h) => hosts.add(h));
        }
      }
    }
    if (!bad.size) return undefined;
    const list = sortedSet(bad);
    return {
      reason: "probe or lifecycle host",
      detail: `${containerPhrase(list)} ${pluralize("uses", "use", list.length)} ${pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.size)} ${joinQuote(sortedSet(hosts))}`,
    };
  },
};

/** check_allowPrivilegeEscalation.go:64-93 */
const allowPrivilegeEscalation: Check = {
  id: "allowPrivilegeEscalation",
  level: "restricted",
  run: (_m, spec) => {
    if (isWindows(spec)) return undefined;
    const bad = names(containers(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false));
    return bad.length ? { reason: "allowPrivilegeEscalation != false", detail: `${containerPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
  },
};

/** check_capabilities_restricted.go:79-145 */
const capabilitiesRestricted: Check = {
  id: "capabilities_restricted",
  level: "restricted",
  overrides: ["capabilities_baseline"],
  run: (_m, spec) => {
    if (isWindows(spec)) return undefined;
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const caps = new Set<string>();
    for (const c of containers(spec)) {
      const capabilities = c.securityContext?.capabilities;
      if (capabilities == null) {
        missingDrop.push(String(c.name));
        continue;
      }
      if (!(capabilities.drop ?? []).includes("ALL")) missingDrop.push(String(c.name));
      const added: string[] = (capabilities.add ?? []).filter((cap: string) => cap !== "NET_BIND_SERVICE");
      added.forEach((cap) => caps.add(cap));
      if (added.length) adding.push(String(c.name));
    }
    const details = [
      ...(missingDrop.length ? [`${containerPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`] : []),
      ...(adding.length ? [`${containerPhrase(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`] : []),
    ];
    return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
  },
};

/** check_procMount_restricted.go:40-56: 1.35+, the unconditional check, replacing baseline's. */
const procMountRestricted: Check = { id: "procMount_restricted", level: "restricted", overrides: ["procMount"], run: (_m, spec) => procMountUnmasked(spec) };

/** check_restrictedVolumes.go:88-173 */
const ALLOWED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];
const RESTRICTED_VOLUMES = [
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc",
  "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
];
const restrictedVolumes: Check = {
  id: "restrictedVolumes",
  level: "restricted",
  overrides: ["hostPathVolumes"],
  run: (_m, spec) => {
    const bad: string[] = [];
    const types = new Set<string>();
    for (const v of (spec.volumes ?? []) as Obj[]) {
      if (ALLOWED_VOLUMES.some((k) => v[k] != null)) continue;
      bad.push(String(v.name));
      types.add(RESTRICTED_VOLUMES.find((k) => v[k] != null) ?? "unknown");
    }
    if (!bad.length) return undefined;
    const list = sortedSet(types);
    return {
      reason: "restricted volume types",
      detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", list.length)} ${joinQuote(list)}`,
    };
  },
};

/** check_runAsNonRoot.go:67-145 (1.35: any value in a user namespace). */
const runAsNonRoot: Check = {
  id: "runAsNonRoot",
  level: "restricted",
  run: (_m, spec) => {
    if (inUserNamespace(spec)) return undefined;
    const setters: string[] = [];
    const podValue = spec.securityContext?.runAsNonRoot;
    if (podValue === false) setters.push("pod");
    const podNonRoot = podValue === true;
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of containers(spec)) {
      const value = c.securityContext?.runAsNonRoot;
      if (value != null) {
        if (value === false) explicit.push(String(c.name));
      } else if (!podNonRoot) implicit.push(String(c.name));
    }
    if (explicit.length) setters.push(containerPhrase(explicit));
    if (setters.length) return { reason: "runAsNonRoot != true", detail: `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false` };
    if (implicit.length) return { reason: "runAsNonRoot != true", detail: `pod or ${containerPhrase(implicit)} must set securityContext.runAsNonRoot=true` };
    return undefined;
  },
};

/** check_runAsUser.go:68-116 (1.35: any value in a user namespace). */
const runAsUser: Check = {
  id: "runAsUser",
  level: "restricted",
  run: (_m, spec) => {
    if (inUserNamespace(spec)) return undefined;
    const setters: string[] = [];
    if (spec.securityContext?.runAsUser === 0) setters.push("pod");
    const bad = names(containers(spec).filter((c) => c.securityContext?.runAsUser === 0));
    if (bad.length) setters.push(containerPhrase(bad));
    return setters.length ? { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0` } : undefined;
  },
};

/** check_seccompProfile_restricted.go:69-155 */
const seccompProfileRestricted: Check = {
  id: "seccompProfile_restricted",
  level: "restricted",
  overrides: ["seccompProfile_baseline"],
  run: (_m, spec) => {
    if (isWindows(spec)) return undefined;
    const { setters, values, podValid, unset } = typeSetters(spec, "seccompProfile", validSeccomp);
    // Containers that set none are covered by a valid pod-level profile.
    const implicit = podValid ? [] : unset;
    if (setters.length) return { reason: "seccompProfile", detail: `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
    if (implicit.length) return { reason: "seccompProfile", detail: `pod or ${containerPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
    return undefined;
  },
};

/** Every check at its latest version (the policy/check_*.go files registered by addCheck). */
export const POD_SECURITY_CHECKS: readonly Check[] = [
  appArmorProfile, capabilitiesBaseline, hostNamespaces, hostPathVolumes, hostPorts, hostProbesAndHostLifecycle, privileged, procMount, seLinuxOptions,
  seccompProfileBaseline, sysctls, windowsHostProcess,
  allowPrivilegeEscalation, capabilitiesRestricted, procMountRestricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted,
];

/** registry.go:149-191: baseline IDs sorted, then restricted IDs sorted; at restricted, overridden baseline checks drop out. */
function checksFor(level: PodSecurityLevel): Check[] {
  if (level === "privileged") return [];
  const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const baseline = POD_SECURITY_CHECKS.filter((c) => c.level === "baseline").sort(byId);
  if (level === "baseline") return baseline;
  const restricted = POD_SECURITY_CHECKS.filter((c) => c.level === "restricted").sort(byId);
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

/** EvaluatePod (registry.go:67-88) with the failing results kept (checks.go:127-147). */
export function evaluatePod(level: PodSecurityLevel, podMetadata: Obj | undefined, podSpec: Obj): PodSecurityResult[] {
  return checksFor(level).flatMap((check) => {
    const r = check.run(podMetadata ?? {}, podSpec);
    return r ? [{ check: check.id, ...r }] : [];
  });
}

/** The server's refusal: `violates PodSecurity "restricted:latest": reason (detail), ...` (checks.go:106-120, admission.go:480-484). */
export function forbiddenMessage(level: PodSecurityLevel, results: readonly PodSecurityResult[]): string {
  return `violates PodSecurity "${level}:latest": ${results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(", ")}`;
}

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

/**
 * The enforced level of a namespace with these labels (api/helpers.go:99-106,181-237): no label is the
 * server's default (privileged unless the cluster's AdmissionConfiguration says otherwise); a value that
 * is not a level is enforced as restricted. `problem` names what the plan cannot judge: a version pinned
 * below 1.35 (the plan knows the latest checks only).
 */
export function enforcedLevel(labels: Record<string, string> | undefined): { level: PodSecurityLevel; problem?: string } {
  const value = labels?.[ENFORCE_LABEL];
  const level: PodSecurityLevel = value === undefined ? "privileged" : value === "privileged" || value === "baseline" || value === "restricted" ? value : "restricted";
  // ParseVersion (helpers.go:123-136): "latest" or v1.<minor>; anything else is an error and judged at latest.
  const version = labels?.[ENFORCE_VERSION_LABEL];
  const minor = version?.match(/^v1\.(\d+)$/)?.[1];
  if (minor !== undefined && Number(minor) < 35) {
    return { level, problem: `${ENFORCE_VERSION_LABEL}=${version}: the plan judges Pod Security only at latest (1.35); remove the label or use latest` };
  }
  return { level };
}
