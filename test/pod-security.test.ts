// Pod Security Admission as the engine encodes it (engine/apiserver/pod-security.ts, from
// k8s.io/pod-security-admission v0.35.6 policy/*.go): every check with a pod it admits and one it
// refuses, with the reason and detail the server prints; the order and overrides of the levels; the
// namespace labels; and three cases ported from upstream's own tests (policy/check_*_test.go).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { enforcedLevel, evaluatePod, forbiddenMessage, POD_SECURITY_CHECKS, type PodSecurityLevel } from "../engine/apiserver/pod-security";

type Obj = Record<string, any>;
/** A container that meets every restricted check. */
const good = (name: string, extra: Obj = {}): Obj => ({
  name,
  image: "registry.example/x:1.0.0",
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  ...extra,
});
const sc = (name: string, securityContext: Obj, extra: Obj = {}): Obj => {
  const c = good(name, extra);
  return { ...c, securityContext: { ...c.securityContext, ...securityContext } };
};
const spec = (extra: Obj = {}): Obj => ({ containers: [good("a")], ...extra });

interface Case {
  check: string;
  level: Exclude<PodSecurityLevel, "privileged">;
  admits: Obj;
  refuses: Obj;
  meta?: Obj;
  reason: string;
  detail: string;
}

const CASES: Case[] = [
  {
    check: "appArmorProfile",
    level: "baseline",
    admits: spec({ securityContext: { appArmorProfile: { type: "RuntimeDefault" } }, containers: [sc("a", { appArmorProfile: { type: "Localhost", localhostProfile: "p" } })] }),
    refuses: spec({ securityContext: { appArmorProfile: { type: "Unconfined" } } }),
    meta: { annotations: { "container.apparmor.security.beta.kubernetes.io/a": "unconfined" } },
    reason: "forbidden AppArmor profiles",
    detail: 'pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined""',
  },
  {
    check: "capabilities_baseline",
    level: "baseline",
    admits: spec({ containers: [{ name: "a", securityContext: { capabilities: { add: ["CHOWN", "NET_BIND_SERVICE"] } } }] }),
    refuses: spec({ containers: [{ name: "a", securityContext: { capabilities: { add: ["SYS_ADMIN", "NET_RAW", "CHOWN"] } } }, { name: "b", securityContext: { capabilities: { add: ["NET_RAW"] } } }] }),
    reason: "non-default capabilities",
    detail: 'containers "a", "b" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add',
  },
  {
    check: "hostNamespaces",
    level: "baseline",
    admits: spec({ hostNetwork: false }),
    refuses: spec({ hostNetwork: true, hostIPC: true }),
    reason: "host namespaces",
    detail: "hostNetwork=true, hostIPC=true",
  },
  {
    check: "hostPathVolumes",
    level: "baseline",
    admits: spec({ volumes: [{ name: "v", emptyDir: {} }] }),
    refuses: spec({ volumes: [{ name: "v", hostPath: { path: "/var/run" } }] }),
    reason: "hostPath volumes",
    detail: 'volume "v"',
  },
  {
    // Ported from policy/check_hostPorts_test.go (case "multiple containers").
    check: "hostPorts",
    level: "baseline",
    admits: spec({ containers: [good("a", { ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }] })] }),
    refuses: spec({
      containers: [good("a", { ports: [{ containerPort: 1 }] }), good("b", { ports: [{ containerPort: 1, hostPort: 10 }, { containerPort: 2, hostPort: 20 }] }), good("c", { ports: [{ containerPort: 3, hostPort: 30 }] })],
    }),
    reason: "hostPort",
    detail: 'containers "b", "c" use hostPorts 10, 20, 30',
  },
  {
    check: "hostProbesAndHostLifecycle",
    level: "baseline",
    admits: spec({ containers: [good("a", { livenessProbe: { httpGet: { port: 80, host: "" } } })] }),
    refuses: spec({ containers: [good("a", { readinessProbe: { tcpSocket: { port: 80, host: "localhost" } }, lifecycle: { preStop: { httpGet: { port: 80, host: "127.0.0.1" } } } })] }),
    reason: "probe or lifecycle host",
    detail: 'container "a" uses probe or lifecycle hosts "127.0.0.1", "localhost"',
  },
  {
    check: "privileged",
    level: "baseline",
    admits: spec({ containers: [{ name: "a", securityContext: { privileged: false } }] }),
    refuses: spec({ initContainers: [{ name: "i", securityContext: { privileged: true } }], containers: [{ name: "a", securityContext: { privileged: true } }] }),
    reason: "privileged",
    detail: 'containers "i", "a" must not set securityContext.privileged=true',
  },
  {
    check: "procMount",
    level: "baseline",
    admits: spec({ hostUsers: false, containers: [{ name: "a", securityContext: { procMount: "Unmasked" } }] }),
    refuses: spec({ containers: [{ name: "a", securityContext: { procMount: "Unmasked" } }] }),
    reason: "procMount",
    detail: 'container "a" must not set securityContext.procMount to "Unmasked"',
  },
  {
    // Ported from policy/check_seLinuxOptions_test.go (case "invalid pod and containers").
    check: "seLinuxOptions",
    level: "baseline",
    admits: spec({ securityContext: { seLinuxOptions: { type: "container_engine_t", level: "s0:c1" } } }),
    refuses: {
      securityContext: { seLinuxOptions: { type: "foo", user: "bar", role: "baz" } },
      containers: [
        { name: "a", securityContext: { seLinuxOptions: { type: "container_t" } } },
        { name: "b", securityContext: { seLinuxOptions: { type: "container_init_t" } } },
        { name: "c", securityContext: { seLinuxOptions: { type: "container_kvm_t" } } },
        { name: "d", securityContext: { seLinuxOptions: { type: "container_engine_t" } } },
        { name: "e", securityContext: { seLinuxOptions: { type: "bar" } } },
        { name: "f", securityContext: { seLinuxOptions: { user: "bar" } } },
        { name: "g", securityContext: { seLinuxOptions: { role: "baz" } } },
      ],
    },
    reason: "seLinuxOptions",
    detail: 'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
  },
  {
    check: "seccompProfile_baseline",
    level: "baseline",
    admits: spec({ securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } } }),
    refuses: spec({ securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [{ name: "a", securityContext: { seccompProfile: { type: "Unconfined" } } }] }),
    reason: "seccompProfile",
    detail: 'pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined"',
  },
  {
    check: "sysctls",
    level: "baseline",
    admits: spec({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" }, { name: "net.ipv4.ip_local_port_range", value: "1024 65535" }] } }),
    refuses: spec({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }, { name: "net.core.somaxconn", value: "1" }] } }),
    reason: "forbidden sysctls",
    detail: "kernel.msgmax, net.core.somaxconn",
  },
  {
    check: "windowsHostProcess",
    level: "baseline",
    admits: spec({ securityContext: { windowsOptions: { hostProcess: false } } }),
    refuses: spec({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: "a", securityContext: { windowsOptions: { hostProcess: true } } }] }),
    reason: "hostProcess",
    detail: 'pod and container "a" must not set securityContext.windowsOptions.hostProcess=true',
  },
  {
    check: "allowPrivilegeEscalation",
    level: "restricted",
    admits: spec(),
    refuses: spec({ initContainers: [sc("i", { allowPrivilegeEscalation: true })], containers: [good("a"), { name: "b" }] }),
    reason: "allowPrivilegeEscalation != false",
    detail: 'containers "i", "b" must set securityContext.allowPrivilegeEscalation=false',
  },
  {
    check: "capabilities_restricted",
    level: "restricted",
    admits: spec({ containers: [sc("a", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })] }),
    refuses: spec({ containers: [sc("a", { capabilities: { drop: ["NET_RAW"] } }), sc("b", { capabilities: { drop: ["ALL"], add: ["CHOWN"] } })] }),
    reason: "unrestricted capabilities",
    detail: 'container "a" must set securityContext.capabilities.drop=["ALL"]; container "b" must not include "CHOWN" in securityContext.capabilities.add',
  },
  {
    check: "procMount_restricted",
    level: "restricted",
    admits: spec({ containers: [sc("a", { procMount: "Default" })] }),
    refuses: spec({ hostUsers: false, containers: [sc("a", { procMount: "Unmasked" })] }),
    reason: "procMount",
    detail: 'container "a" must not set securityContext.procMount to "Unmasked"',
  },
  {
    // Ported from policy/check_restrictedVolumes_test.go, a shorter list.
    check: "restrictedVolumes",
    level: "restricted",
    admits: spec({ volumes: ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"].map((k, i) => ({ name: `a${i}`, [k]: {} })) }),
    refuses: spec({ volumes: [{ name: "b1", hostPath: { path: "/" } }, { name: "b5", nfs: { server: "s", path: "/" } }, { name: "c1" }] }),
    reason: "restricted volume types",
    detail: 'volumes "b1", "b5", "c1" use restricted volume types "hostPath", "nfs", "unknown"',
  },
  {
    check: "runAsNonRoot",
    level: "restricted",
    admits: spec({ securityContext: { runAsNonRoot: true }, containers: [{ ...good("a"), securityContext: { ...good("a").securityContext, runAsNonRoot: undefined } }] }),
    refuses: spec({ containers: [{ ...good("a"), securityContext: { ...good("a").securityContext, runAsNonRoot: undefined } }, good("b")] }),
    reason: "runAsNonRoot != true",
    detail: 'pod or container "a" must set securityContext.runAsNonRoot=true',
  },
  {
    check: "runAsUser",
    level: "restricted",
    admits: spec({ securityContext: { runAsUser: 1000 } }),
    refuses: spec({ securityContext: { runAsUser: 0 }, containers: [sc("a", { runAsUser: 0 })] }),
    reason: "runAsUser=0",
    detail: 'pod and container "a" must not set runAsUser=0',
  },
  {
    check: "seccompProfile_restricted",
    level: "restricted",
    admits: spec({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [{ ...good("a"), securityContext: { ...good("a").securityContext, seccompProfile: undefined } }] }),
    refuses: spec({ containers: [{ ...good("a"), securityContext: { ...good("a").securityContext, seccompProfile: undefined } }] }),
    reason: "seccompProfile",
    detail: 'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
  },
];

const only = (level: PodSecurityLevel, check: string, s: Obj, meta?: Obj) => evaluatePod(level, meta, s).filter((r) => r.check === check);

describe("Pod Security checks (k8s.io/pod-security-admission v0.35.6)", () => {
  it("covers every check the engine encodes", () => {
    assert.deepEqual(CASES.map((c) => c.check).sort(), POD_SECURITY_CHECKS.map((c) => c.id).sort());
  });

  for (const c of CASES) {
    it(`${c.check} (${c.level}): admits a compliant pod, refuses one with the server's reason and detail`, () => {
      assert.deepEqual(only(c.level, c.check, c.admits), []);
      assert.deepEqual(only(c.level, c.check, c.refuses, c.meta), [{ check: c.check, reason: c.reason, detail: c.detail }]);
      // A check of the level refuses at restricted too, unless restricted replaces it with a stricter one.
      if (c.level === "baseline" && !["capabilities_baseline", "hostPathVolumes", "procMount", "seccompProfile_baseline"].includes(c.check)) {
        assert.equal(only("restricted", c.check, c.refuses, c.meta).length, 1);
      }
      assert.deepEqual(evaluatePod("privileged", c.meta, c.refuses), [], "privileged admits everything");
    });
  }

  it("runs baseline checks, then restricted ones, each in ID order, with the overridden baseline checks left out", () => {
    const bare = { containers: [{ name: "a", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } } }], volumes: [{ name: "h", hostPath: { path: "/" } }] };
    assert.deepEqual(evaluatePod("baseline", undefined, bare).map((r) => r.check), ["capabilities_baseline", "hostPathVolumes", "privileged"]);
    assert.deepEqual(evaluatePod("restricted", undefined, bare).map((r) => r.check), [
      "privileged", "allowPrivilegeEscalation", "capabilities_restricted", "restrictedVolumes", "runAsNonRoot", "seccompProfile_restricted",
    ]);
  });

  it("joins the failing checks as the API server's refusal does", () => {
    const pod = { initContainers: [{ name: "init" }, { name: "kfp-launcher" }], containers: [{ name: "wait" }, { name: "main" }] };
    assert.equal(
      forbiddenMessage("restricted", evaluatePod("restricted", undefined, pod)),
      'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (containers "init", "kfp-launcher", "wait", "main" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (containers "init", "kfp-launcher", "wait", "main" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or containers "init", "kfp-launcher", "wait", "main" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or containers "init", "kfp-launcher", "wait", "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it("exempts Windows pods from the Linux-only restricted checks, and relaxes user-namespace pods", () => {
    const bare = { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "a" }] };
    assert.deepEqual(evaluatePod("restricted", undefined, bare), []);
    const userns = { hostUsers: false, securityContext: { runAsUser: 0 }, containers: [sc("a", { runAsNonRoot: false })] };
    assert.deepEqual(evaluatePod("restricted", undefined, userns), []);
  });

  it("reads a namespace's enforce label as the server does", () => {
    assert.deepEqual(enforcedLevel(undefined), { level: "privileged" });
    assert.deepEqual(enforcedLevel({ "pod-security.kubernetes.io/warn": "restricted" }), { level: "privileged" }, "only enforce refuses");
    assert.deepEqual(enforcedLevel({ "pod-security.kubernetes.io/enforce": "baseline" }), { level: "baseline" });
    assert.deepEqual(enforcedLevel({ "pod-security.kubernetes.io/enforce": "Baseline" }), { level: "restricted" }, "a value that is not a level enforces restricted");
    assert.deepEqual(enforcedLevel({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.36" }), { level: "baseline" });
    assert.match(enforcedLevel({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.24" }).problem ?? "", /judges Pod Security only at latest/);
  });
});
