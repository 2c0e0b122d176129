// Runs one policy function on hand-built resources, with the arguments the analyzer server builds
// (config via getConfig, notApplicable that throws), for cases no example stack contains.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export type Props = Record<string, any>;

class NotApplicable extends Error {}

/** The messages a resource policy reports for one resource; `notApplicable` when it declined. */
export async function violations(
  policy: ResourceValidationPolicy,
  type: string,
  props: Props,
  config: Props = {},
): Promise<string[] | "notApplicable"> {
  const reported: string[] = [];
  const args = {
    type,
    props,
    urn: `urn:pulumi:test::kfp-platform::${type}::r`,
    name: "r",
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  const validations = [policy.validateResource ?? []].flat();
  try {
    for (const validate of validations) await validate(args, (message) => reported.push(message));
  } catch (e) {
    if (e instanceof NotApplicable) return "notApplicable";
    throw e;
  }
  return reported;
}

export interface StackResourceSpec {
  type: string;
  name: string;
  props: Props;
  protect?: boolean;
  /** Property -> names of the resources it was computed from. */
  propertyDependencies?: Record<string, string[]>;
}

/** The (message, resource name) pairs a stack policy reports; resources are linked by name. */
export async function stackViolations(policy: StackValidationPolicy, specs: StackResourceSpec[], config: Props = {}): Promise<{ message: string; name?: string }[]> {
  const urnOf = (name: string) => `urn:pulumi:test::kfp-platform::x::${name}`;
  const resources: PolicyResource[] = specs.map((s) => ({
    type: s.type,
    name: s.name,
    urn: urnOf(s.name),
    props: s.props,
    opts: { protect: s.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const byName = new Map(resources.map((r) => [r.name, r]));
  specs.forEach((s, i) => {
    for (const [key, names] of Object.entries(s.propertyDependencies ?? {})) resources[i].propertyDependencies[key] = names.map((n) => byName.get(n)!);
  });
  const reported: { message: string; name?: string }[] = [];
  await policy.validateStack(
    { resources, getConfig: <T>() => config as T, stackTags: new Map(), notApplicable: (): never => { throw new Error("notApplicable"); } },
    (message, urn) => reported.push({ message, name: resources.find((r) => r.urn === urn)?.name }),
  );
  return reported;
}

/** A Deployment whose pod spec is `spec` (containers, volumes, tolerations...). */
export function deployment(spec: Props, metadata: Props = { name: "app", namespace: "kubeflow" }): Props {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec } } };
}

/** A container with requests and a memory limit that pass container-resources, overridable. */
export function container(overrides: Props = {}): Props {
  return { name: "main", image: "ghcr.io/example/app:1.0.0", resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }, ...overrides };
}
