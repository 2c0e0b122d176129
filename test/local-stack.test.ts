// The `local` stack planned end to end: the existing foundation's data services under upstream's names,
// pinned images, limits, probes, secrets kept secret, explicit providers and component parentage.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { stableString } from "../engine/mocks";
import { planStack, type PlanResult } from "../engine/plan";
import { images } from "../modules/versions";
import { containersOf, findObject, REPO_ROOT, stackYaml, tempRoot } from "./helpers";

describe("local stack", () => {
  let plan: PlanResult;
  let outDir: string;
  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), "kfp-local-"));
    plan = await planStack("local", { root: REPO_ROOT, outDir });
  });

  it("plans without problems", () => {
    assert.deepEqual(plan.problems, []);
    assert.ok(plan.ok);
  });

  it("creates the data services under upstream KFP's names in namespace kubeflow", () => {
    assert.ok(findObject(plan, "Namespace", "kubeflow"));
    for (const [kind, name] of [
      ["Deployment", "mysql"],
      ["Service", "mysql"],
      ["ServiceAccount", "mysql"],
      ["PersistentVolumeClaim", "mysql-pv-claim"],
      ["Secret", "mysql-secret"],
      ["Deployment", "minio"],
      ["Service", "minio-service"],
      ["PersistentVolumeClaim", "minio-pvc"],
      ["Secret", "mlpipeline-minio-artifact"],
    ]) {
      const o = findObject(plan, kind, name);
      assert.ok(o, `${kind} ${name} missing`);
      assert.equal(o.metadata.namespace, "kubeflow", `${kind} ${name} namespace`);
    }
  });

  it("keeps upstream's selectors so the Services reach the pods", () => {
    for (const [deployment, service] of [["mysql", "mysql"], ["minio", "minio-service"]]) {
      const d = findObject(plan, "Deployment", deployment) as any;
      const s = findObject(plan, "Service", service) as any;
      assert.deepEqual(d.spec.selector.matchLabels, { "application-crd-id": "kubeflow-pipelines", app: deployment });
      assert.deepEqual(s.spec.selector, d.spec.selector.matchLabels);
      assert.deepEqual(d.spec.template.metadata.labels, d.spec.selector.matchLabels);
    }
    assert.equal((findObject(plan, "Service", "mysql") as any).spec.ports[0].port, 3306);
    assert.equal((findObject(plan, "Service", "minio-service") as any).spec.ports[0].port, 9000);
  });

  it("pins every container image to the versions table and gives every container requests and a memory limit", () => {
    const pinned = new Set(Object.values(images).map((p) => `${p.repository}:${p.tag}`));
    const containers = containersOf(plan);
    assert.ok(containers.length >= 3);
    for (const { owner, container } of containers) {
      assert.ok(pinned.has(container.image), `${owner}/${container.name} image ${container.image} not from the table`);
      assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory, `${owner}/${container.name} requests`);
      assert.ok(container.resources?.limits?.memory, `${owner}/${container.name} memory limit`);
    }
  });

  it("enforces, warns and audits Pod Security baseline in the platform namespace, where steps run", async () => {
    const labels = findObject(plan, "Namespace", "kubeflow")!.metadata.labels!;
    for (const mode of ["enforce", "warn", "audit"]) assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "baseline", mode);
    const root = tempRoot({ dev: stackYaml("  kfp-platform:platformPodSecurity: privileged\n") });
    const privileged = await planStack("dev", { root, outDir: null, policyConfig: false });
    assert.equal(findObject(privileged, "Namespace", "kubeflow")!.metadata.labels!["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("runs MySQL with a generated root password; the KFP user and databases come from the bootstrap Job", () => {
    const mysql = containersOf(plan).find((c) => c.owner === "Deployment mysql")!.container;
    const env = Object.fromEntries(mysql.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
    assert.deepEqual(env, { MYSQL_ROOT_PASSWORD: { name: "mysql-root-credentials", key: "password" } });
    assert.ok(mysql.args.includes("--authentication-policy=mysql_native_password"));
    assert.ok(!mysql.volumeMounts.some((m: any) => m.mountPath === "/docker-entrypoint-initdb.d"), "no init scripts: they never run on an existing volume");
    const job = findObject(plan, "Job", "mysql-bootstrap") as any;
    assert.equal(job.metadata.namespace, "kubeflow-db-bootstrap", "the admin password stays out of the platform namespace");
    const jobEnv = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
    assert.deepEqual(jobEnv.ADMIN_PASSWORD, { name: "mysql-bootstrap", key: "ADMIN_PASSWORD" });
    assert.equal(jobEnv.DB_HOST, "mysql.kubeflow.svc");
    const credentials = findObject(plan, "Secret", "mysql-bootstrap") as any;
    assert.equal(credentials.metadata.namespace, "kubeflow-db-bootstrap");
    assert.deepEqual(Object.keys(credentials.stringData).sort(), ["ADMIN_PASSWORD", "ADMIN_USER", "KFP_PASSWORD", "MONITOR_PASSWORD"]);
    assert.equal(findObject(plan, "Namespace", "kubeflow-db-bootstrap")!.metadata.labels!["pod-security.kubernetes.io/enforce"], "restricted");
  });

  it("gives MySQL 30 minutes to start (crash recovery) before liveness may restart it", () => {
    const mysql = containersOf(plan).find((c) => c.owner === "Deployment mysql")!.container;
    const { periodSeconds, failureThreshold } = mysql.startupProbe;
    assert.ok(periodSeconds * failureThreshold >= 1800, `startup budget ${periodSeconds * failureThreshold}s`);
    assert.ok(mysql.readinessProbe && mysql.livenessProbe);
  });

  it("starts every database client only after the bootstrap Job, which waits for MySQL", () => {
    const urnOf = (name: string) => plan.resources.find((r) => r.name === name)!.urn;
    const job = plan.resources.find((r) => r.type === "kubernetes:batch/v1:Job")!;
    assert.ok(job.dependsOn.includes(urnOf("platform-mysql-deployment")));
    for (const client of ["kfp-api-server", "kfp-cache-server", "kfp-metadata-grpc", "kfp-argo-controller"]) {
      assert.ok(urnOf(client) && plan.resources.find((r) => r.name === client)!.dependsOn.includes(job.urn), `${client} waits for the bootstrap Job`);
    }
  });

  it("never writes a generated credential in plain text", () => {
    const written = readFileSync(join(outDir, "local/resources.json"), "utf8") + readFileSync(join(outDir, "local/manifests.yaml"), "utf8");
    const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const passwords = plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    // MySQL's root and KFP passwords, MinIO's two keys, the metrics user's and Grafana's admin password.
    assert.equal(passwords.length, 6);
    for (const r of passwords) {
      const value = stableString(`password/${r.name}`, Number(r.inputs.length), alnum);
      assert.ok(!written.includes(value), `${r.name} leaked`);
      assert.equal(r.outputs.result, "[secret]");
    }
    const secret = findObject(plan, "Secret", "mysql-secret") as any;
    assert.deepEqual(secret.stringData, { username: "[secret]", password: "[secret]" });
  });

  it("creates every child inside its component and every Kubernetes object through the explicit provider", () => {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    assert.equal(provider.inputs.context, "kind-kfp");
    for (const r of plan.resources) {
      if (r.type === "pulumi:pulumi:Stack") continue;
      assert.ok(r.parent && byUrn.has(r.parent), `${r.urn} has no registered parent`);
      if (r.type.startsWith("kubernetes:")) assert.equal(r.provider, provider.urn, `${r.urn} provider`);
    }
    const mysqlDeployment = plan.resources.find((r) => r.name === "platform-mysql-deployment")!;
    assert.equal(
      mysqlDeployment.urn,
      "urn:pulumi:local::kfp-platform::kfp-platform:cloud:ExistingCluster$kfp-platform:data:InClusterMysql$kubernetes:apps/v1:Deployment::platform-mysql-deployment",
    );
  });

  it("does not protect data in dev, and orders every namespaced object after its namespace", () => {
    assert.ok(plan.resources.every((r) => !r.protect));
    const namespaces = new Map(
      plan.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => [(r.inputs.metadata as any).name as string, r.urn]),
    );
    const namespaced = plan.resources.filter((x) => x.type.startsWith("kubernetes:") && (x.inputs.metadata as any)?.namespace);
    assert.ok(namespaced.length > 50);
    for (const r of namespaced) {
      const ns = namespaces.get((r.inputs.metadata as any).namespace);
      assert.ok(ns && r.dependsOn.includes(ns), `${r.urn} waits for its namespace`);
    }
  });

  it("registers the same resources in preview mode, without hanging on unknown outputs", async () => {
    const preview = await planStack("local", { root: REPO_ROOT, outDir: null, preview: true });
    assert.deepEqual(preview.problems, []);
    assert.deepEqual(preview.resources.map((r) => r.urn).sort(), plan.resources.map((r) => r.urn).sort());
    const secret = preview.objects.find((o) => o.object.metadata.name === "mysql-secret")!.object as any;
    assert.equal(secret.stringData, "[unknown]", "generated passwords are unknown until applied");
  });
});
