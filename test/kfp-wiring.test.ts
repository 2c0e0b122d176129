// The KFP component takes the foundation contract and nothing else: swap the object store or the
// database and every consumer follows (API server, UI, launcher, Argo, cache server, MLMD).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import type { Database, Foundation, ObjectStore } from "../modules/foundation/contract";
import { kfpSettings } from "../modules/config/kfp";
import { ImageResolver } from "../modules/images";
import { KubeflowPipelines } from "../modules/kfp";
import { findObject, REPO_ROOT as REPO, stackYaml, tempRoot } from "./helpers";

const root = tempRoot({ dev: stackYaml() });

const externalDb = (): Database => ({
  host: "kfp.abc123.eu-west-1.rds.amazonaws.com",
  port: 3307,
  username: pulumi.output("kfp"),
  password: pulumi.secret("from-rds"),
  secretName: "mysql-secret",
  clients: [],
  databases: { pipelines: "mlpipeline", cache: "cachedb", metadata: "metadb", workflows: "argo" },
  readyResources: [],
});

/** Plans KubeflowPipelines alone on a hand-made foundation. */
function planWith(objectStore: ObjectStore, database: Database, images = new ImageResolver(), settings = kfpSettings.parse({})): Promise<PlanResult> {
  return planStack("dev", {
    root,
    outDir: null,
    program: async () => {
      const provider = new k8s.Provider("cluster", { context: "test" });
      const namespaceResource = new k8s.core.v1.Namespace("ns", { metadata: { name: "kubeflow" } }, { provider });
      const foundation: Foundation = { provider, namespace: "kubeflow", namespaceResource, objectStore, database, gpuPools: [] };
      new KubeflowPipelines("kfp", { foundation, settings, images });
    },
  });
}

/** In-cluster MinIO as the existing foundation describes it, with the given key secret. */
const minioStore = (secretName: string, accessKeyKey: string, secretKeyKey: string): ObjectStore => ({
  kind: "minio",
  bucket: "mlpipeline",
  endpoint: "minio-service.kubeflow:9000",
  region: "minio",
  secure: false,
  auth: { kind: "secret", secretName, accessKeyKey, secretKeyKey },
  readyResources: [],
});

const container = (plan: PlanResult, deployment: string) => (findObject(plan, "Deployment", deployment) as any).spec.template.spec.containers[0];
const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const data = (plan: PlanResult, name: string) => (findObject(plan, "ConfigMap", name) as any).data;

describe("KFP wiring from the foundation contract", () => {
  it("S3 with IRSA and an external MySQL reach the API server, UI, launcher, Argo, cache and MLMD", async () => {
    const roleArn = (sa: string) => `arn:aws:iam::123456789012:role/kfp-${sa}`;
    const plan = await planWith(
      {
        kind: "s3",
        bucket: "acme-kfp-artifacts",
        endpoint: "s3.eu-west-1.amazonaws.com",
        region: "eu-west-1",
        secure: true,
        auth: {
          kind: "aws-role",
          mechanism: "irsa",
          roleArns: { "ml-pipeline": pulumi.output(roleArn("ml-pipeline")), "ml-pipeline-ui": pulumi.output(roleArn("ml-pipeline-ui")), "pipeline-runner": pulumi.output(roleArn("pipeline-runner")) },
        },
        readyResources: [],
      },
      externalDb(),
      new ImageResolver(),
      kfpSettings.parse({ argo: { nodeStatusOffload: true } }),
    );
    assert.deepEqual(plan.problems, []);
    const install = data(plan, "pipeline-install-config");
    for (const key of ["dbHost", "mysqlHost"]) assert.equal(install[key], "kfp.abc123.eu-west-1.rds.amazonaws.com");
    for (const key of ["dbPort", "mysqlPort"]) assert.equal(install[key], "3307");
    assert.equal(install.bucketName, "acme-kfp-artifacts");
    assert.equal(install.defaultPipelineRoot, "s3://acme-kfp-artifacts/v2/artifacts?region=eu-west-1");

    const api = envOf(container(plan, "ml-pipeline"));
    assert.equal(api.OBJECTSTORECONFIG_HOST, "s3.eu-west-1.amazonaws.com");
    assert.equal(api.OBJECTSTORECONFIG_PORT, "");
    assert.equal(api.OBJECTSTORECONFIG_SECURE, "true");
    assert.equal(api.OBJECTSTORECONFIG_REGION, "eu-west-1");
    // Empty, not absent: absent leaves the built-in minio/minio123 keys in force (config.json).
    assert.equal(api.OBJECTSTORECONFIG_ACCESSKEY, "", "IRSA: no static keys");
    assert.equal(api.OBJECTSTORECONFIG_SECRETACCESSKEY, "", "IRSA: no static keys");
    assert.equal(api.DBCONFIG_MYSQLCONFIG_EXTRAPARAMS, undefined, "no TLS setting unless the database asks");
    const emptyKeys = findObject(plan, "Secret", "mlpipeline-minio-artifact") as any;
    assert.deepEqual(Object.keys(emptyKeys.stringData).sort(), ["accesskey", "secretkey"], "the UI needs the Secret to exist");

    const ui = envOf(container(plan, "ml-pipeline-ui"));
    assert.equal(ui.ARGO_ARCHIVE_ARTIFACTORY, "s3");
    assert.equal(ui.AWS_REGION, "eu-west-1");
    assert.equal(ui.ARGO_ARCHIVE_BUCKETNAME, "acme-kfp-artifacts");

    const launcher = data(plan, "kfp-launcher");
    assert.equal(launcher.defaultPipelineRoot, "s3://acme-kfp-artifacts/v2/artifacts?region=eu-west-1", "the launcher ignores the provider's region with fromEnv");
    assert.deepEqual(parse(launcher.providers).s3.default.credentials, { fromEnv: true });
    assert.equal(parse(launcher.providers).s3.default.forcePathStyle, false, "virtual-hosted style on AWS S3");

    const argo = data(plan, "workflow-controller-configmap");
    const repo = parse(argo.artifactRepository);
    assert.equal(repo.s3.bucket, "acme-kfp-artifacts");
    assert.equal(repo.s3.useSDKCreds, true);
    assert.equal(repo.s3.insecure, false);
    const persistence = parse(argo.persistence);
    assert.deepEqual([persistence.nodeStatusOffLoad, persistence.archive], [true, false]);
    assert.equal(persistence.mysql.host, "kfp.abc123.eu-west-1.rds.amazonaws.com");
    assert.equal(persistence.mysql.port, 3307);
    assert.equal(persistence.mysql.database, "argo");

    for (const sa of ["ml-pipeline", "ml-pipeline-ui", "pipeline-runner"]) {
      assert.equal((findObject(plan, "ServiceAccount", sa) as any).metadata.annotations["eks.amazonaws.com/role-arn"], roleArn(sa), sa);
    }
    assert.equal((findObject(plan, "ServiceAccount", "ml-pipeline-scheduledworkflow") as any).metadata.annotations, undefined);
  });

  it("GCS with Workload Identity gives a gs:// root and annotates the store clients", async () => {
    const plan = await planWith(
      {
        kind: "gcs",
        bucket: "acme-kfp",
        endpoint: "storage.googleapis.com",
        region: "europe-west4",
        secure: true,
        auth: { kind: "gcp-service-account", email: pulumi.output("kfp@acme.iam.gserviceaccount.com") },
        readyResources: [],
      },
      externalDb(),
    );
    assert.deepEqual(plan.problems, []);
    assert.equal(data(plan, "kfp-launcher").defaultPipelineRoot, "gs://acme-kfp/v2/artifacts");
    assert.deepEqual(parse(data(plan, "kfp-launcher").providers), { gs: { default: { credentials: { fromEnv: true } } } });
    const repo = parse(data(plan, "workflow-controller-configmap").artifactRepository);
    assert.deepEqual(Object.keys(repo).sort(), ["archiveLogs", "gcs"], "Argo uses its native GCS client with the pod's identity");
    assert.equal(repo.gcs.bucket, "acme-kfp");
    assert.equal(
      (findObject(plan, "ServiceAccount", "pipeline-runner") as any).metadata.annotations["iam.gke.io/gcp-service-account"],
      "kfp@acme.iam.gserviceaccount.com",
    );
  });

  it("MinIO with keys wires the secret everywhere a key is needed", async () => {
    const plan = await planWith(minioStore("mlpipeline-minio-artifact", "accesskey", "secretkey"), externalDb());
    const api = envOf(container(plan, "ml-pipeline"));
    assert.deepEqual(api.OBJECTSTORECONFIG_ACCESSKEY, { secretKeyRef: { name: "mlpipeline-minio-artifact", key: "accesskey" } });
    assert.equal(api.OBJECTSTORECONFIG_HOST, "minio-service.kubeflow");
    assert.equal(api.OBJECTSTORECONFIG_PORT, "9000");
    const ui = envOf(container(plan, "ml-pipeline-ui"));
    assert.equal(ui.MINIO_HOST, "minio-service");
    assert.deepEqual(ui.MINIO_SECRET_KEY, { secretKeyRef: { name: "mlpipeline-minio-artifact", key: "secretkey" } });
    assert.equal(ui.ARGO_KEYFORMAT, parse(data(plan, "workflow-controller-configmap").artifactRepository).s3.keyFormat);
    const providers = parse(data(plan, "kfp-launcher").providers);
    assert.deepEqual(providers.minio.default, {
      endpoint: "minio-service.kubeflow:9000",
      region: "minio",
      disableSSL: true,
      forcePathStyle: true,
      credentials: { fromEnv: false, secretRef: { secretName: "mlpipeline-minio-artifact", accessKeyKey: "accesskey", secretKeyKey: "secretkey" } },
    });
  });

  it("rewrites every image, runtime images included, to a private mirror and pins digests", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const plan = await planWith(
      minioStore("k", "a", "s"),
      externalDb(),
      new ImageResolver({ registry: "registry.internal:5000/mirror", digests: { kfpApiServer: digest } }),
    );
    const api = container(plan, "ml-pipeline");
    assert.equal(api.image, `registry.internal:5000/mirror/kubeflow/kfp-api-server:2.14.0@${digest}`);
    assert.equal(envOf(api).V2_DRIVER_IMAGE, "registry.internal:5000/mirror/kubeflow/kfp-driver:2.14.0");
    const controllerArgs: string[] = container(plan, "workflow-controller").args;
    assert.equal(controllerArgs[controllerArgs.indexOf("--executor-image") + 1], "registry.internal:5000/mirror/argoproj/argoexec:v3.6.7");
    assert.equal(data(plan, "pipeline-install-config").cacheImage, "registry.internal:5000/mirror/library/busybox:1.36.1");
    for (const { object } of plan.objects) {
      const spec = (object as any).spec?.template?.spec;
      for (const c of spec?.containers ?? []) assert.ok(c.image.startsWith("registry.internal:5000/mirror/"), c.image);
    }
  });
});

describe("cache webhook and ordering", () => {
  it("issues the webhook certificate with Pulumi and registers the webhook as upstream's runtime does", async () => {
    const plan = await planStack("local", { root: REPO, outDir: null });
    const webhook = findObject(plan, "MutatingWebhookConfiguration", "cache-webhook-kubeflow") as any;
    const hook = webhook.webhooks[0];
    assert.equal(hook.name, "cache-server.kubeflow.svc");
    assert.deepEqual(hook.clientConfig.service, { name: "cache-server", namespace: "kubeflow", path: "/mutate" });
    assert.match(hook.clientConfig.caBundle, /^LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t/, "base64 of a PEM certificate");
    assert.deepEqual(hook.objectSelector, { matchLabels: { "pipelines.kubeflow.org/cache_enabled": "true" } });
    assert.equal(hook.failurePolicy, "Ignore");
    const secret = findObject(plan, "Secret", "webhook-server-tls") as any;
    assert.deepEqual(Object.keys(secret.stringData).sort(), ["cert.pem", "key.pem"]);
    assert.equal(secret.stringData["key.pem"], "[secret]");
    const csr = plan.resources.find((r) => r.type === "tls:index/certRequest:CertRequest")!;
    assert.deepEqual(csr.inputs.dnsNames, ["cache-server", "cache-server.kubeflow", "cache-server.kubeflow.svc"]);
    assert.equal((findObject(plan, "Deployment", "cache-deployer-deployment") as any).spec.replicas, 0);
  });

  it("orders CRDs and data before the API server, the TLS secret before the cache server, the webhook before Argo", async () => {
    const plan = await planStack("local", { root: REPO, outDir: null });
    const urnOf = (kind: string, name: string) => plan.objects.find((o) => o.object.kind === kind && o.object.metadata.name === name)!.urn;
    const deps = (kind: string, name: string) => plan.resources.find((r) => r.urn === urnOf(kind, name))!.dependsOn;
    const api = deps("Deployment", "ml-pipeline");
    for (const [kind, name] of [["Job", "mysql-bootstrap"], ["Deployment", "minio"], ["Secret", "mysql-secret"], ["CustomResourceDefinition", "workflows.argoproj.io"], ["ConfigMap", "pipeline-install-config"]]) {
      assert.ok(api.includes(urnOf(kind, name)), `ml-pipeline waits for ${kind} ${name}`);
    }
    assert.ok(deps("Deployment", "cache-server").includes(urnOf("Secret", "webhook-server-tls")));
    assert.ok(deps("MutatingWebhookConfiguration", "cache-webhook-kubeflow").includes(urnOf("Deployment", "cache-server")));
    assert.ok(deps("Deployment", "workflow-controller").includes(urnOf("MutatingWebhookConfiguration", "cache-webhook-kubeflow")));
    assert.ok(deps("Deployment", "workflow-controller").includes(urnOf("ConfigMap", "workflow-controller-configmap")));
  });
});
