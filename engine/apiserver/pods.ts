// The API server's semantic rules for a pod spec, wherever it is embedded (Pod, Deployment, Job...):
// kubernetes pkg/apis/core/validation/validation.go (ValidatePodSpec, validateContainers,
// validateContainerPorts, validateVolumes, ValidateVolumeMounts, ValidateEnv, ValidateResourceRequirements).
import { parseQuantity } from "../../modules/config/quantities";
import { dns1123Label, numberOrPortName, portName, portNumber } from "./syntax";
import type { Problem } from "./problem";

type Obj = Record<string, any>;

/** IsOvercommitAllowed: native resources (no domain, or a kubernetes.io one) except hugepages may have limit > request. */
function overcommitAllowed(name: string): boolean {
  return (!name.includes("/") || name.includes("kubernetes.io/")) && !name.startsWith("hugepages-");
}

/** ValidateResourceRequirements: request <= limit; GPUs and other extended resources need a limit equal to the request. */
function resourceProblems(resources: Obj | undefined, at: string): Problem[] {
  const out: Problem[] = [];
  const requests: Obj = resources?.requests ?? {};
  const limits: Obj = resources?.limits ?? {};
  for (const [name, requestText] of Object.entries(requests)) {
    const limitText = limits[name];
    const field = `${at}.resources.requests[${name}]`;
    if (limitText === undefined) {
      if (!overcommitAllowed(name)) out.push({ field: `${at}.resources.limits[${name}]`, message: "Required value: Limit must be set for non overcommitable resources" });
      continue;
    }
    const request = parseQuantity(requestText);
    const limit = parseQuantity(limitText);
    if (request === undefined || limit === undefined) continue;
    if (request !== limit && !overcommitAllowed(name)) out.push({ field, message: `${requestText}: must be equal to ${name} limit of ${limitText}` });
    else if (request > limit) out.push({ field, message: `${requestText}: must be less than or equal to ${name} limit of ${limitText}` });
  }
  return out;
}

/** Exactly one handler per probe or lifecycle hook (validateHandler). */
function probeProblems(container: Obj, at: string): Problem[] {
  const out: Problem[] = [];
  for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const probe = container[kind];
    if (!probe) continue;
    const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => probe[h] !== undefined);
    if (handlers.length !== 1) out.push({ field: `${at}.${kind}`, message: `must specify exactly one handler (exec, httpGet, tcpSocket or grpc), found ${handlers.length}` });
    const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
    if (port !== undefined) {
      const bad = numberOrPortName(port);
      if (bad) out.push({ field: `${at}.${kind}.port`, message: `${JSON.stringify(port)} ${bad}` });
    }
  }
  return out;
}

/** ValidateEnv: names are required, any printable ASCII but '=' (RelaxedEnvironmentVariableValidation, GA in 1.34). */
function envProblems(container: Obj, at: string): Problem[] {
  const out: Problem[] = [];
  for (const [i, env] of (container.env ?? []).entries()) {
    const name: unknown = env?.name;
    if (typeof name !== "string" || name.length === 0) out.push({ field: `${at}.env[${i}].name`, message: "is required" });
    else if (!/^[\x20-\x7e]+$/.test(name) || name.includes("=")) out.push({ field: `${at}.env[${i}].name`, message: `${JSON.stringify(name)} must consist of printable ASCII characters other than '='` });
  }
  return out;
}

export function podSpecProblems(spec: Obj | undefined, at: string): Problem[] {
  if (!spec) return [];
  const out: Problem[] = [];
  const volumes = new Set<string>();
  for (const [i, volume] of (spec.volumes ?? []).entries()) {
    const bad = dns1123Label(String(volume?.name ?? ""));
    if (bad) out.push({ field: `${at}.volumes[${i}].name`, message: `${JSON.stringify(volume?.name)} ${bad}` });
    if (volumes.has(volume?.name)) out.push({ field: `${at}.volumes[${i}].name`, message: `${JSON.stringify(volume.name)} is a duplicate` });
    volumes.add(volume?.name);
  }

  const names = new Set<string>();
  const lists: [string, Obj[]][] = [["initContainers", spec.initContainers ?? []], ["containers", spec.containers ?? []]];
  for (const [list, containers] of lists) {
    for (const [i, container] of containers.entries()) {
      const where = `${at}.${list}[${i}]`;
      const bad = dns1123Label(String(container?.name ?? ""));
      if (bad) out.push({ field: `${where}.name`, message: `${JSON.stringify(container?.name)} ${bad}` });
      // Container names are unique across init and regular containers.
      if (names.has(container?.name)) out.push({ field: `${where}.name`, message: `${JSON.stringify(container.name)} is a duplicate container name in this pod` });
      names.add(container?.name);

      const portNames = new Set<string>();
      for (const [j, port] of (container.ports ?? []).entries()) {
        const badNumber = portNumber(port?.containerPort);
        if (badNumber) out.push({ field: `${where}.ports[${j}].containerPort`, message: badNumber });
        if (port?.hostPort !== undefined && portNumber(port.hostPort)) out.push({ field: `${where}.ports[${j}].hostPort`, message: "must be between 1 and 65535, inclusive" });
        if (port?.name === undefined) continue;
        const badName = portName(port.name);
        if (badName) out.push({ field: `${where}.ports[${j}].name`, message: `${JSON.stringify(port.name)} ${badName}` });
        if (portNames.has(port.name)) out.push({ field: `${where}.ports[${j}].name`, message: `${JSON.stringify(port.name)} is a duplicate port name` });
        portNames.add(port.name);
      }

      const mountPaths = new Set<string>();
      for (const [j, mount] of (container.volumeMounts ?? []).entries()) {
        if (!volumes.has(mount?.name)) out.push({ field: `${where}.volumeMounts[${j}].name`, message: `${JSON.stringify(mount?.name)} not found: no volume of that name in the pod` });
        if (mountPaths.has(mount?.mountPath)) out.push({ field: `${where}.volumeMounts[${j}].mountPath`, message: `${JSON.stringify(mount.mountPath)} must be unique` });
        mountPaths.add(mount?.mountPath);
      }
      out.push(...envProblems(container, where), ...resourceProblems(container.resources, where), ...probeProblems(container, where));
    }
  }
  return out;
}
