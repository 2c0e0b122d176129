// The API server's semantic rules for a pod spec, wherever it is embedded (Pod, Deployment, Job...):
// kubernetes v1.34.1 pkg/apis/core/validation/validation.go (ValidatePodSpec, validateContainers,
// validateContainerPorts, validateVolumes, ValidateVolumeMounts, ValidateEnv, validateHandler,
// validateResourceRequirements) and pkg/apis/core/helper (IsOvercommitAllowed).
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
    if (limitText === undefined) {
      if (!overcommitAllowed(name)) out.push({ field: `${at}.resources.limits`, message: `Required value: Limit must be set for non overcommitable resources (${name})` });
      continue;
    }
    const request = parseQuantity(requestText);
    const limit = parseQuantity(limitText);
    if (request === undefined || limit === undefined) continue;
    // The server reports these on `...resources.requests`, without the resource's key.
    if (request !== limit && !overcommitAllowed(name)) out.push({ field: `${at}.resources.requests`, message: `Invalid value: "${requestText}": must be equal to ${name} limit of ${limitText}` });
    else if (request > limit) out.push({ field: `${at}.resources.requests`, message: `Invalid value: "${requestText}": must be less than or equal to ${name} limit of ${limitText}` });
  }
  return out;
}

/** validateHandler: exactly one handler per probe; ValidatePortNumOrName: port syntax only (not matched to declared ports). */
function probeProblems(container: Obj, at: string): Problem[] {
  const out: Problem[] = [];
  for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const probe = container[kind];
    if (!probe) continue;
    const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => probe[h] !== undefined);
    if (handlers.length === 0) out.push({ field: `${at}.${kind}`, message: "Required value: must specify a handler type" });
    for (const extra of handlers.slice(1)) out.push({ field: `${at}.${kind}.${extra}`, message: "Forbidden: may not specify more than 1 handler type" });
    if ((kind === "livenessProbe" || kind === "startupProbe") && probe.successThreshold !== undefined && probe.successThreshold !== 1)
      out.push({ field: `${at}.${kind}.successThreshold`, message: `Invalid value: ${probe.successThreshold}: must be 1` });
    const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
    if (port !== undefined) {
      const bad = numberOrPortName(port);
      if (bad) out.push({ field: `${at}.${kind}.port`, message: `${JSON.stringify(port)} ${bad}` });
    }
  }
  return out;
}

/** ValidateEnv: names are required, printable ASCII but '=' (IsRelaxedEnvVarName: RelaxedEnvironmentVariableValidation is GA and locked on in 1.34). */
function envProblems(container: Obj, at: string): Problem[] {
  const out: Problem[] = [];
  for (const [i, env] of (container.env ?? []).entries()) {
    const name: unknown = env?.name;
    if (typeof name !== "string" || name.length === 0) out.push({ field: `${at}.env[${i}].name`, message: "is required" });
    else if (!/^[\x20-\x7e]+$/.test(name) || name.includes("=")) out.push({ field: `${at}.env[${i}].name`, message: `Invalid value: ${JSON.stringify(name)}: a valid environment variable name must consist only of printable ASCII characters other than '='` });
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
    if (volumes.has(volume?.name)) out.push({ field: `${at}.volumes[${i}].name`, message: `Duplicate value: ${JSON.stringify(volume.name)}` });
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
      if (names.has(container?.name)) out.push({ field: `${where}.name`, message: `Duplicate value: ${JSON.stringify(container.name)}` });
      names.add(container?.name);

      const portNames = new Set<string>();
      for (const [j, port] of (container.ports ?? []).entries()) {
        const badNumber = portNumber(port?.containerPort);
        if (badNumber) out.push({ field: `${where}.ports[${j}].containerPort`, message: badNumber });
        if (port?.hostPort !== undefined && portNumber(port.hostPort)) out.push({ field: `${where}.ports[${j}].hostPort`, message: "must be between 1 and 65535, inclusive" });
        if (port?.name === undefined) continue;
        const badName = portName(port.name);
        if (badName) out.push({ field: `${where}.ports[${j}].name`, message: `${JSON.stringify(port.name)} ${badName}` });
        // Unique per container (a duplicate across containers is only a warning).
        if (portNames.has(port.name)) out.push({ field: `${where}.ports[${j}].name`, message: `Duplicate value: ${JSON.stringify(port.name)}` });
        portNames.add(port.name);
      }

      const mountPaths = new Set<string>();
      for (const [j, mount] of (container.volumeMounts ?? []).entries()) {
        if (!volumes.has(mount?.name)) out.push({ field: `${where}.volumeMounts[${j}].name`, message: `Not found: ${JSON.stringify(mount?.name)}` });
        if (mountPaths.has(mount?.mountPath)) out.push({ field: `${where}.volumeMounts[${j}].mountPath`, message: `Invalid value: ${JSON.stringify(mount.mountPath)}: must be unique` });
        mountPaths.add(mount?.mountPath);
      }
      out.push(...envProblems(container, where), ...resourceProblems(container.resources, where), ...probeProblems(container, where));
    }
  }
  return out;
}
