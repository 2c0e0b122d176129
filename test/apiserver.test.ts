// The engine's API-server rules: each rule with an object the real API server accepts and one it
// refuses (422), with the field and reason it would name. Sources are cited in engine/apiserver/.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { objectProblems } from "../engine/apiserver/objects";
import type { KubernetesObject } from "../engine/manifests";
import { planStack } from "../engine/plan";
import { stackYaml, tempRoot } from "./helpers";

const problems = (o: Record<string, unknown>) => objectProblems(o as unknown as KubernetesObject).map((p) => `${p.field}: ${p.message}`);
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "kubeflow", ...extra });

function deployment(pod: Record<string, unknown>, labels: Record<string, string> = { app: "a" }, selector: Record<string, string> = { app: "a" }) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("a"),
    spec: { selector: { matchLabels: selector }, template: { metadata: { labels }, spec: pod } },
  };
}
const container = (extra: Record<string, unknown> = {}) => ({ name: "main", image: "quay.io/x/y:1", ...extra });

describe("API server rules: CustomResourceDefinition", () => {
  const crd = (group: string, annotations?: Record<string, string>) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `things.${group}`, ...(annotations ? { annotations } : {}) },
    spec: { group, names: { plural: "things", kind: "Thing" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true }] },
  });

  it("refuses a CRD in a protected group without api-approved.kubernetes.io", () => {
    for (const group of ["app.k8s.io", "k8s.io", "foo.sigs.k8s.io", "bar.kubernetes.io"]) {
      assert.deepEqual(problems(crd(group)), [
        'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
      ], group);
    }
  });

  it("accepts a URL or an 'unapproved' reason, and does not protect x-k8s.io or other groups", () => {
    assert.deepEqual(problems(crd("app.k8s.io", { "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/application/pull/2" })), []);
    assert.deepEqual(problems(crd("app.k8s.io", { "api-approved.kubernetes.io": "unapproved, experimental" })), []);
    assert.deepEqual(problems(crd("cluster.x-k8s.io")), []);
    assert.deepEqual(problems(crd("argoproj.io")), []);
    assert.match(problems(crd("app.k8s.io", { "api-approved.kubernetes.io": "yes" }))[0], /Invalid value|with either a URL or a reason starting with "unapproved"/);
  });

  it("refuses a CRD whose name is not plural.group or that has no single storage version", () => {
    const bad = crd("argoproj.io");
    bad.metadata.name = "thing.argoproj.io";
    bad.spec.versions.push({ name: "v2", served: true, storage: true });
    assert.deepEqual(problems(bad), [
      'metadata.name: must be spec.names.plural+"."+spec.group (things.argoproj.io)',
      "spec.versions: must have exactly one version marked as storage version, found 2",
    ]);
  });
});

describe("API server rules: container resources", () => {
  const pod = (resources: Record<string, unknown>) => deployment({ containers: [container({ resources })] });

  it("refuses a request above its limit, naming the field as the server does", () => {
    assert.deepEqual(problems(pod({ requests: { memory: "4G" }, limits: { memory: "2Gi" } })), [
      'spec.template.spec.containers[0].resources.requests: Invalid value: "4G": must be less than or equal to memory limit of 2Gi',
    ]);
    assert.deepEqual(problems(pod({ requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } })), []);
    assert.deepEqual(problems(pod({ requests: { memory: "4G" } })), [], "no limit: nothing to compare");
  });

  it("requires GPUs and other extended resources to have a limit equal to the request", () => {
    assert.deepEqual(problems(pod({ requests: { "nvidia.com/gpu": "1" } })), [
      "spec.template.spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources (nvidia.com/gpu)",
    ]);
    assert.match(problems(pod({ requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } }))[0], /must be equal to nvidia\.com\/gpu limit of 2/);
    assert.deepEqual(problems(pod({ requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "1" } })), []);
    assert.deepEqual(problems(pod({ limits: { "nvidia.com/gpu": "1" } })), []);
  });
});

describe("API server rules: names and labels", () => {
  it("names a Service by DNS-1035 label, a Namespace by DNS-1123 label, others by subdomain, RBAC by path segment", () => {
    assert.match(problems({ apiVersion: "v1", kind: "Service", metadata: meta("1st-service"), spec: { ports: [{ port: 80 }] } })[0], /^metadata\.name: "1st-service": must be a DNS-1035 label/);
    assert.deepEqual(problems({ apiVersion: "v1", kind: "Service", metadata: meta("ml-pipeline"), spec: { ports: [{ port: 80 }] } }), []);
    assert.match(problems({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team.a" } })[0], /^metadata\.name: "team\.a": must be a DNS-1123 label/);
    assert.deepEqual(problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("a.b-c") }), []);
    assert.match(problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("Upper") })[0], /DNS-1123 subdomain/);
    assert.deepEqual(problems({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:kfp" }, rules: [] }), []);
    assert.match(problems({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "a/b" }, rules: [] })[0], /may not contain '\/' or '%'/);
    assert.match(problems({ apiVersion: "batch/v1", kind: "CronJob", metadata: meta("x".repeat(53)), spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [container()] } } } } } })[0], /no more than 52/);
  });

  it("checks label keys and values, including a pod template's", () => {
    const found = problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("a", { labels: { "kfp-platform/team": "a b", "-bad": "x", ["x".repeat(64)]: "y" } }) });
    assert.equal(found.length, 3);
    assert.match(found[0], /metadata\.labels\[kfp-platform\/team\]: value "a b"/);
    assert.match(found[1], /name part must be alphanumerics/);
    assert.match(found[2], /name part must be no more than 63/);
    assert.match(problems(deployment({ containers: [container()] }, { app: "a", v: "-x-" }))[0], /spec\.template\.metadata\.labels\[v\]: value "-x-"/);
  });

  it("checks ConfigMap and Secret keys", () => {
    assert.deepEqual(problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("a"), data: { "config.json": "{}", "bootstrap.sh": "" } }), []);
    assert.match(problems({ apiVersion: "v1", kind: "ConfigMap", metadata: meta("a"), data: { "a/b": "" } })[0], /^data\[a\/b\]: Invalid value/);
    assert.match(problems({ apiVersion: "v1", kind: "Secret", metadata: meta("a"), stringData: { "..x": "" } })[0], /must not start with '\.\.'/);
  });
});

describe("API server rules: workloads", () => {
  it("refuses a selector that does not match the template's labels, and an empty one", () => {
    assert.deepEqual(problems(deployment({ containers: [container()] }, { app: "b" })), [
      "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`",
    ]);
    assert.match(problems(deployment({ containers: [container()] }, { app: "a" }, {}))[0], /empty selector is invalid/);
    assert.deepEqual(problems(deployment({ containers: [container()] }, { app: "a", extra: "x" })), []);
  });

  it("requires a Job's pods to restart OnFailure or Never, and refuses a hand-written Job selector", () => {
    const job = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ apiVersion: "batch/v1", kind: "Job", metadata: meta("j"), spec: { template: { spec }, ...extra } });
    assert.deepEqual(problems(job({ containers: [container()] })), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    assert.deepEqual(problems(job({ restartPolicy: "Never", containers: [container()] })), []);
    assert.match(problems(job({ restartPolicy: "Never", containers: [container()] }, { selector: { matchLabels: { a: "b" } } }))[0], /not auto-generated/);
    assert.match(problems(deployment({ restartPolicy: "Never", containers: [container()] }))[0], /Unsupported value: "Never": supported values: "Always"/);
  });

  it("checks container names, port names and numbers, volume mounts, env names and probes", () => {
    const found = problems(
      deployment({
        volumes: [{ name: "data", emptyDir: {} }, { name: "data", emptyDir: {} }],
        initContainers: [container({ name: "main" })],
        containers: [
          container({
            ports: [{ name: "http-metrics-port", containerPort: 8080 }, { name: "http", containerPort: 70000 }, { name: "http", containerPort: 81 }],
            volumeMounts: [{ name: "cache", mountPath: "/c" }, { name: "data", mountPath: "/d" }, { name: "data", mountPath: "/d" }],
            env: [{ name: "A=B", value: "x" }, { name: "WITH SPACE", value: "ok in 1.34" }],
            livenessProbe: { httpGet: { path: "/", port: "metrics--x" }, exec: { command: ["true"] } },
            readinessProbe: {},
          }),
        ],
      }),
    );
    const expect = [
      /volumes\[1\]\.name: Duplicate value: "data"/,
      /containers\[0\]\.name: Duplicate value: "main"/,
      /ports\[0\]\.name: "http-metrics-port" must be no more than 15 characters/,
      /ports\[1\]\.containerPort: must be between 1 and 65535/,
      /ports\[2\]\.name: Duplicate value: "http"/,
      /volumeMounts\[0\]\.name: Not found: "cache"/,
      /volumeMounts\[2\]\.mountPath: Invalid value: "\/d": must be unique/,
      /env\[0\]\.name: Invalid value: "A=B"/,
      /livenessProbe\.httpGet: Forbidden: may not specify more than 1 handler type/,
      /livenessProbe\.port: "metrics--x" must not contain consecutive hyphens/,
      /readinessProbe: Required value: must specify a handler type/,
    ];
    assert.equal(found.length, expect.length, found.join("\n"));
    expect.forEach((re, i) => assert.match(found[i], re));
  });
});

describe("API server rules: Services, RBAC, LimitRanges, webhooks", () => {
  const service = (ports: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Service", metadata: meta("svc"), spec: { selector: { app: "a" }, ports, ...extra } });

  it("checks Service ports: required, named when several, unique, targetPort syntax", () => {
    assert.deepEqual(problems(service([])), ["spec.ports: Required value"]);
    assert.deepEqual(problems(service([], { clusterIP: "None" })), []);
    const found = problems(service([{ port: 80 }, { name: "grpc", port: 80 }, { name: "grpc", port: 8887, targetPort: "grpc_api" }]));
    assert.deepEqual(found, [
      "spec.ports[0].name: Required value: names are required when a Service has more than one port",
      "spec.ports[1]: Duplicate value: 80/TCP",
      'spec.ports[2].name: Duplicate value: "grpc"',
      'spec.ports[2].targetPort: "grpc_api": must contain only lowercase alphanumerics and \'-\', starting and ending with an alphanumeric',
    ]);
    assert.deepEqual(problems(service([{ name: "http", port: 80, targetPort: 3000 }, { name: "grpc", port: 8887, targetPort: "grpc-api" }])), []);
  });

  it("checks RBAC role refs and subjects, with the server's defaults for empty API groups", () => {
    const binding = (kind: string, roleRef: Record<string, unknown>, subjects: unknown[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: kind === "RoleBinding" ? meta("b") : { name: "b" }, roleRef, subjects });
    assert.deepEqual(problems(binding("RoleBinding", { kind: "Role", name: "r" }, [{ kind: "ServiceAccount", name: "sa" }, { kind: "Group", name: "team-a" }])), []);
    assert.deepEqual(problems(binding("ClusterRoleBinding", { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" }, [{ kind: "ServiceAccount", name: "sa" }])), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "subjects[0].namespace: Required value",
    ]);
    assert.deepEqual(problems(binding("RoleBinding", { apiGroup: "rbac", kind: "ClusterRole", name: "" }, [{ kind: "User", apiGroup: "x", name: "u" }, { kind: "Robot", name: "r" }])), [
      'roleRef.apiGroup: Unsupported value: "rbac": supported values: "rbac.authorization.k8s.io"',
      "roleRef.name: Required value",
      'subjects[0].apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    const role = (rules: unknown[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta("r"), rules });
    assert.deepEqual(problems(role([{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }])), []);
    assert.deepEqual(problems(role([{ apiGroups: [""], resources: ["pods"], verbs: [] }, { nonResourceURLs: ["/metrics"], verbs: ["get"] }])), [
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[1].nonResourceURLs: Invalid value: namespaced rules cannot apply to non-resource URLs",
    ]);
  });

  it("checks a LimitRange after the server's defaulting (a max alone becomes the default limit)", () => {
    const range = (item: Record<string, unknown>) => ({ apiVersion: "v1", kind: "LimitRange", metadata: meta("l"), spec: { limits: [{ type: "Container", ...item }] } });
    assert.deepEqual(problems(range({ defaultRequest: { memory: "256Mi" } })), []);
    assert.deepEqual(problems(range({ defaultRequest: { memory: "4Gi" }, default: { memory: "2Gi" } })), [
      "spec.limits[0].defaultRequest[memory]: Invalid value: defaultRequest value 4Gi is greater than default value 2Gi",
    ]);
    assert.match(problems(range({ defaultRequest: { memory: "4Gi" }, max: { memory: "2Gi" } })).join("\n"), /defaultRequest value 4Gi is greater than default value 2Gi/);
    assert.match(problems(range({ defaultRequest: { "nvidia.com/gpu": "1" }, default: { "nvidia.com/gpu": "2" } })).join("\n"), /must equal to defaultRequest/);
  });

  it("requires fully qualified webhook names", () => {
    const hooks = (name: string) => ({ apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "w" }, webhooks: [{ name, clientConfig: { service: { name: "s", namespace: "n", port: 443 } } }] });
    assert.deepEqual(problems(hooks("cache-server.kubeflow.svc")), []);
    assert.match(problems(hooks("cache-server"))[0], /at least three segments/);
  });
});

describe("API server rules in the plan", () => {
  it("fail `npm run plan` with the object, the field and the reason", async () => {
    const root = tempRoot({ dev: stackYaml() });
    const plan = await planStack("dev", {
      root,
      outDir: null,
      policyConfig: false,
      program: async () => {
        const provider = new k8s.Provider("p", { context: "kind-test" });
        new k8s.core.v1.Service("svc", { metadata: { name: "svc", namespace: "x" }, spec: { ports: [{ port: 80 }, { port: 81 }] } }, { provider });
      },
    });
    assert.equal(plan.ok, false);
    assert.deepEqual(plan.problems, [
      "api-server: Service x/svc (urn:pulumi:dev::kfp-platform::kubernetes:core/v1:Service::svc): spec.ports[0].name: Required value: names are required when a Service has more than one port",
      "api-server: Service x/svc (urn:pulumi:dev::kfp-platform::kubernetes:core/v1:Service::svc): spec.ports[1].name: Required value: names are required when a Service has more than one port",
    ]);
  });
});
