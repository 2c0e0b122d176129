// Workload guardrails: container requests and limits (GPUs included) and object-storage-only pipeline data.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerResources } from "../policies/src/rules/container-resources";
import { pipelineRootObjectStorage } from "../policies/src/rules/pipeline-root-object-storage";
import { container, deployment, violations, type Props } from "./policies-helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const GPU = "nvidia.com/gpu";
const gpuContainer = (requests: Props, limits: Props) => container({ resources: { requests: { cpu: "1", memory: "4Gi", ...requests }, limits: { memory: "8Gi", ...limits } } });
const tolerateGpu = [{ key: GPU, operator: "Exists", effect: "NoSchedule" }];

describe("container-resources", () => {
  it("passes requests and a memory limit on every workload kind, init containers included", async () => {
    const pod = { initContainers: [container({ name: "init" })], containers: [container()] };
    const kinds: [string, Props][] = [
      ["kubernetes:core/v1:Pod", { metadata: { name: "p" }, spec: pod }],
      [DEPLOYMENT, deployment(pod)],
      ["kubernetes:apps/v1:StatefulSet", deployment(pod)],
      ["kubernetes:apps/v1:DaemonSet", deployment(pod)],
      ["kubernetes:batch/v1:Job", { metadata: { name: "j" }, spec: { template: { spec: pod } } }],
      ["kubernetes:batch/v1:CronJob", { metadata: { name: "c" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: pod } } } } }],
    ];
    for (const [type, props] of kinds) assert.deepEqual(await violations(containerResources, type, props), [], type);
  });

  it("fails missing requests or limit on any kind, naming the container", async () => {
    const bare = { containers: [container({ resources: undefined })] };
    const cron = { metadata: { name: "nightly", namespace: "kubeflow" }, spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: bare } } } } };
    const [found] = (await violations(containerResources, "kubernetes:batch/v1:CronJob", cron)) as string[];
    assert.equal(found, "[container-resources] CronJob kubeflow/nightly: container main has no CPU request, no memory request, no memory limit. Fix: set resources.requests.cpu, resources.requests.memory and resources.limits.memory.");
    const init = deployment({ initContainers: [container({ name: "setup", resources: { requests: { cpu: "10m", memory: "16Mi" } } })], containers: [container()] });
    assert.match(((await violations(containerResources, DEPLOYMENT, init)) as string[])[0], /init container setup has no memory limit/);
  });

  it("fails a limit below its request and a memory limit too far above its request, bound from config", async () => {
    const low = deployment({ containers: [container({ resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "250m", memory: "512Mi" } } })] });
    const found = (await violations(containerResources, DEPLOYMENT, low)) as string[];
    assert.deepEqual(found.map((m) => /has a (\w+) limit/.exec(m)?.[1]), ["cpu", "memory"]);
    const loose = deployment({ containers: [container({ resources: { requests: { cpu: "10m", memory: "100Mi" }, limits: { memory: "2Gi" } } })] });
    assert.match(((await violations(containerResources, DEPLOYMENT, loose)) as string[])[0], /may grow to 20\.5x its memory request \(100Mi -> 2Gi\), above 12x/);
    assert.deepEqual(await violations(containerResources, DEPLOYMENT, loose, { maxMemoryLimitRatio: 32 }), []);
  });

  it("passes a GPU pod whose request equals its limit and that tolerates the GPU taint", async () => {
    assert.deepEqual(await violations(containerResources, DEPLOYMENT, deployment({ containers: [gpuContainer({ [GPU]: 1 }, { [GPU]: 1 })], tolerations: tolerateGpu })), []);
    assert.deepEqual(await violations(containerResources, DEPLOYMENT, deployment({ containers: [gpuContainer({}, { [GPU]: "2" })], tolerations: [{ operator: "Exists" }] })), []);
  });

  it("fails a GPU request that differs from its limit, and a GPU pod without the toleration", async () => {
    const found = (await violations(containerResources, DEPLOYMENT, deployment({ containers: [gpuContainer({ [GPU]: 2 }, { [GPU]: 1 })] }))) as string[];
    assert.equal(found.length, 2, found.join("\n"));
    assert.match(found[0], /container main requests 2 nvidia\.com\/gpu but limits 1/);
    assert.match(found[1], /do not tolerate the nvidia\.com\/gpu taint/);
    const otherTaint = deployment({ containers: [gpuContainer({}, { [GPU]: 1 })], tolerations: [{ key: "dedicated", operator: "Exists" }] });
    assert.match(((await violations(containerResources, DEPLOYMENT, otherTaint)) as string[])[0], /do not tolerate/);
  });

  it("checks the Argo executor defaults in workflow-controller-configmap", async () => {
    const argo = (executor: string) => ({ metadata: { name: "workflow-controller-configmap", namespace: "kubeflow" }, data: { executor } });
    const good = "imagePullPolicy: IfNotPresent\nresources:\n  requests: {cpu: 10m, memory: 64Mi}\n  limits: {memory: 512Mi}\n";
    assert.deepEqual(await violations(containerResources, CONFIG_MAP, argo(good)), []);
    const found = (await violations(containerResources, CONFIG_MAP, argo("imagePullPolicy: IfNotPresent\n"))) as string[];
    assert.match(found[0], /ConfigMap kubeflow\/workflow-controller-configmap: Argo executor defaults \(key executor\) has no CPU request/);
  });

  it("fails Argo main-container resource defaults, which merge key by key with a step's own", async () => {
    const executor = "resources:\n  requests: {cpu: 10m, memory: 64Mi}\n  limits: {memory: 512Mi}\n";
    const argo = (mainContainer: string) => ({ metadata: { name: "workflow-controller-configmap", namespace: "kubeflow" }, data: { executor, mainContainer } });
    assert.deepEqual(await violations(containerResources, CONFIG_MAP, argo("imagePullPolicy: IfNotPresent\n")), []);
    const found = (await violations(containerResources, CONFIG_MAP, argo("resources:\n  limits: {memory: 2Gi}\n"))) as string[];
    assert.equal(found.length, 1);
    assert.match(found[0], /mainContainer\) set resources, which Argo merges key by key/);
    assert.match(found[0], /LimitRange/);
  });
});

describe("pipeline-root-object-storage", () => {
  it("passes PVC and emptyDir volumes and object-store pipeline roots", async () => {
    const pod = deployment({ containers: [container()], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "x" } }, { name: "tmp", emptyDir: {} }] });
    assert.deepEqual(await violations(pipelineRootObjectStorage, DEPLOYMENT, pod), []);
    for (const root of ["s3://bucket/v2", "gs://bucket/v2", "minio://mlpipeline/v2/artifacts", ""]) {
      assert.deepEqual(await violations(pipelineRootObjectStorage, CONFIG_MAP, { metadata: { name: "kfp-launcher" }, data: { defaultPipelineRoot: root } }), [], root);
    }
  });

  it("fails NFS and hostPath volumes in platform namespaces, and only there", async () => {
    const volumes = [{ name: "shared", nfs: { server: "nfs.example.com", path: "/exports" } }, { name: "node", hostPath: { path: "/data" } }];
    const found = (await violations(pipelineRootObjectStorage, DEPLOYMENT, deployment({ containers: [container()], volumes }))) as string[];
    assert.deepEqual(found.map((m) => /volume (\w+) is (\w+)/.exec(m)?.slice(1).join(" ")), ["shared nfs", "node hostPath"]);
    const elsewhere = deployment({ containers: [container()], volumes }, { name: "app", namespace: "monitoring" });
    assert.deepEqual(await violations(pipelineRootObjectStorage, DEPLOYMENT, elsewhere), []);
    assert.equal(((await violations(pipelineRootObjectStorage, DEPLOYMENT, elsewhere, { platformNamespaces: ["monitoring"] })) as string[]).length, 2);
  });

  it("lets node agents mount the kubelet's socket directories, and nothing else from the host", async () => {
    const volumes = [{ name: "plugins", hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } }, { name: "pods", hostPath: { path: "/var/lib/kubelet/pods" } }];
    const found = (await violations(pipelineRootObjectStorage, DEPLOYMENT, deployment({ containers: [container()], volumes }))) as string[];
    assert.deepEqual(found.map((m) => /volume (\w+) is/.exec(m)?.[1]), ["pods"]);
  });

  it("fails a pipeline root or Argo artifact repository that is not object storage", async () => {
    const launcher = { metadata: { name: "kfp-launcher", namespace: "team-a" }, data: { defaultPipelineRoot: "/mnt/nfs/pipelines" } };
    assert.match(((await violations(pipelineRootObjectStorage, CONFIG_MAP, launcher)) as string[])[0], /defaultPipelineRoot \/mnt\/nfs\/pipelines is not object storage/);
    const argo = { metadata: { name: "workflow-controller-configmap" }, data: { artifactRepository: "archiveLogs: true\nhdfs:\n  addresses: [hdfs:8020]\n" } };
    assert.match(((await violations(pipelineRootObjectStorage, CONFIG_MAP, argo)) as string[])[0], /artifactRepository uses hdfs/);
  });
});
