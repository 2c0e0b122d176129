// The gcp-dev stack planned end to end, and bad GCP input: a GKE cluster on a release channel at the kit's
// build, held there by a NO_MINOR_OR_NODE_UPGRADES exclusion until end of support, pools with auto-upgrade
// on (as GKE requires on a channel) at that build, GPU pools on Ubuntu in their accelerator's zones with
// GKE's driver installation off and the GPU Operator installing exactly the pinned driver; every config the
// GKE API would refuse is refused first.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { before, describe, it } from "node:test";
import { imagesOf } from "../engine/images";
import { planStack, type PlanResult } from "../engine/plan";
import { cloudSqlMysql, gke } from "../modules/versions";
import { gkeGpuNodesHeld, gpuOperatorForGkePools } from "../policies/src/rules/gpu-drivers-pinned";
import { formatSummary } from "../engine/summary";
import { configProblems, findObject, ofType, one, REPO_ROOT, tempRoot } from "./helpers";
import { stackViolations } from "./policies-helpers";

let plan: PlanResult;
before(async () => {
  plan = await planStack("gcp-dev", { root: REPO_ROOT, outDir: null });
});

describe("gcp-dev stack", () => {
  it("plans without problems under the dev policy config", () => {
    assert.deepEqual(plan.problems, []);
    assert.equal(plan.policy!.diagnostics.filter((d) => d.level === "mandatory").length, 0);
  });

  it("builds GKE on a release channel that offers the kit's build, held by an exclusion until end of support, private, Dataplane V2, with Workload Identity", () => {
    const cluster = one(plan, "gcp:container/cluster:Cluster").inputs as any;
    assert.deepEqual(cluster.releaseChannel, { channel: "REGULAR" });
    assert.ok((gke.channels as readonly string[]).includes("regular"));
    assert.equal(cluster.minMasterVersion, gke.version);
    assert.deepEqual(cluster.maintenancePolicy, {
      dailyMaintenanceWindow: { startTime: "03:00" },
      maintenanceExclusions: [{ exclusionName: "kfp-platform-hold", startTime: gke.holdSince, exclusionOptions: { scope: "NO_MINOR_OR_NODE_UPGRADES", endTimeBehavior: "UNTIL_END_OF_SUPPORT" } }],
    });
    assert.equal(cluster.datapathProvider, "ADVANCED_DATAPATH", "Dataplane V2 enforces NetworkPolicies");
    assert.deepEqual(cluster.workloadIdentityConfig, { workloadPool: "acme-ml-dev.svc.id.goog" });
    assert.equal(cluster.privateClusterConfig.enablePrivateNodes, true);
    assert.equal(cluster.removeDefaultNodePool, true);
  });

  it("runs GKE's temporary first pool as the kit's node account, not the Compute Engine default, and never replaces the cluster for it", () => {
    const cluster = one(plan, "gcp:container/cluster:Cluster");
    const account = ofType(plan, "gcp:serviceaccount/account:Account").find((a) => a.name === "platform-gke-nodes")!;
    const role = ofType(plan, "gcp:projects/iAMMember:IAMMember").find((r) => (r.inputs as any).role === "roles/container.defaultNodeServiceAccount")!;
    assert.match((cluster.inputs as any).nodeConfig.serviceAccount, new RegExp(`^${(account.inputs as any).accountId}@`));
    assert.deepEqual((cluster.inputs as any).nodeConfig.oauthScopes, ["https://www.googleapis.com/auth/cloud-platform"]);
    assert.ok(cluster.dependsOn.includes(role.urn), "the node account has its role before GKE creates nodes with it");
    assert.deepEqual(cluster.ignoreChanges, ["nodeConfig"]);
  });

  it("says in the plan what can still change under the cluster, and until when", () => {
    const summary = formatSummary(plan);
    assert.match(summary, new RegExp(`gke: REGULAR channel at ${gke.version.replace(/\./g, "\\.")}; exclusion kfp-platform-hold holds the minor and every node pool until end of standard support, ${gke.endOfStandardSupport}`));
    assert.match(summary, /can still change: control-plane patches within the minor/);
  });

  it("pins every node pool's version with auto-upgrade on (GKE refuses false on a channel), puts GPU pools in their zones, and leaves the GPU pool's driver to the operator's pin", () => {
    const pools = ofType(plan, "gcp:container/nodePool:NodePool").map((p) => p.inputs as any);
    assert.deepEqual(pools.map((p) => p.name).sort(), ["cpu", "l4", "system"]);
    for (const p of pools) {
      assert.equal(p.version, gke.version, p.name);
      assert.deepEqual(p.management, { autoRepair: true, autoUpgrade: true }, p.name);
      assert.equal(p.nodeConfig.workloadMetadataConfig.mode, "GKE_METADATA", p.name);
    }
    const l4 = pools.find((p) => p.name === "l4");
    assert.deepEqual(l4.nodeLocations, ["europe-west4-a", "europe-west4-b"]);
    assert.equal(pools.find((p) => p.name === "cpu").nodeLocations, undefined, "CPU pools take the cluster's zones");
    assert.equal(l4.nodeConfig.imageType, "UBUNTU_CONTAINERD");
    assert.deepEqual(l4.nodeConfig.guestAccelerators, [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" } }]);
    assert.equal(l4.nodeConfig.labels["gke-no-default-nvidia-gpu-device-plugin"], "true");
    assert.equal(l4.nodeConfig.labels["kfp-platform/cuda-13.0"], "true", "CUDA labels from the operator's driver 580.173.02");
    // GKE's own value for the GPU taint, so its automatic taint and the kit's are one.
    assert.deepEqual(l4.nodeConfig.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }, { key: "kfp-platform/spot", value: "true", effect: "NO_SCHEDULE" }]);
    assert.equal(l4.nodeConfig.shieldedInstanceConfig.enableSecureBoot, false, "Secure Boot would refuse the operator's unsigned driver module");
    const operator = ofType(plan, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "gpu-operator")!.inputs as any;
    assert.equal(operator.values.driver.version, "580.173.02");
    assert.deepEqual(operator.values.toolkit.env, [{ name: "RUNTIME_CONFIG_SOURCE", value: "file" }]);
    assert.deepEqual(plan.outputs.gpuPools, [{ name: "l4", driver: "580.173.02", maxCuda: "13.0", nodeLabels: (plan.outputs.gpuPools as any)[0].nodeLabels }]);
  });

  it("lets the operator's pods use the node-critical priority GKE reserves for kube-system", () => {
    const quotas = plan.objects.map((o) => o.object as any).filter((o) => o.kind === "ResourceQuota" && o.metadata.name === "critical-pods");
    assert.deepEqual(quotas.map((q) => q.metadata.namespace), ["gpu-operator"], "the kit's own GPU daemons run only on node-image pools, never on GKE");
    assert.deepEqual(quotas[0].spec.scopeSelector.matchExpressions, [{ scopeName: "PriorityClass", operator: "In", values: ["system-node-critical", "system-cluster-critical"] }]);
  });

  it("reaches the cluster through gke-gcloud-auth-plugin, only after the node pools exist", () => {
    const provider = one(plan, "pulumi:providers:kubernetes");
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig as string);
    assert.equal(kubeconfig.users[0].user.exec.command, "gke-gcloud-auth-plugin");
    assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/\d+\.\d+\.\d+\.\d+$/);
    for (const pool of ofType(plan, "gcp:container/nodePool:NodePool")) assert.ok(provider.dependsOn.includes(pool.urn), pool.name);
    for (const r of plan.resources.filter((x) => x.type.startsWith("gcp:"))) assert.ok(r.provider?.includes("pulumi:providers:gcp::platform-gcp"), `${r.name} uses the explicit GCP provider`);
  });
});

describe("gcp-dev's pipeline root on GCS", () => {
  const BUCKET = "acme-kfp-dev-artifacts";
  it("protects the bucket: uniform access, no public access, versioned, with lifecycle rules", () => {
    const bucket = one(plan, "gcp:storage/bucket:Bucket").inputs as any;
    assert.equal(bucket.name, BUCKET);
    assert.equal(bucket.uniformBucketLevelAccess, true);
    assert.equal(bucket.publicAccessPrevention, "enforced");
    assert.deepEqual(bucket.versioning, { enabled: true });
    assert.equal(bucket.forceDestroy, false);
    assert.deepEqual(bucket.lifecycleRules[0], { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } });
  });

  it("binds each KFP client's Kubernetes service account to its own Google one, and nothing else", () => {
    // IAM refuses a binding that names the workload pool before a Workload Identity cluster exists.
    const cluster = one(plan, "gcp:container/cluster:Cluster");
    for (const m of ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")) assert.ok(m.dependsOn.includes(cluster.urn), `${m.name} waits for the cluster`);
    const members = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").map((m) => m.inputs as any);
    assert.deepEqual(members.map((m) => [m.role, m.member]).sort(), [
      ["roles/iam.workloadIdentityUser", "serviceAccount:acme-ml-dev.svc.id.goog[kubeflow/kubeflow-pipelines-viewer]"],
      ["roles/iam.workloadIdentityUser", "serviceAccount:acme-ml-dev.svc.id.goog[kubeflow/ml-pipeline-ui]"],
      ["roles/iam.workloadIdentityUser", "serviceAccount:acme-ml-dev.svc.id.goog[kubeflow/ml-pipeline-visualizationserver]"],
      ["roles/iam.workloadIdentityUser", "serviceAccount:acme-ml-dev.svc.id.goog[kubeflow/ml-pipeline]"],
      ["roles/iam.workloadIdentityUser", "serviceAccount:acme-ml-dev.svc.id.goog[kubeflow/pipeline-runner]"],
    ]);
    const annotation = (sa: string) => (findObject(plan, "ServiceAccount", sa) as any).metadata.annotations["iam.gke.io/gcp-service-account"];
    // TensorBoard viewers and the visualization server only read the bucket (upstream binds both:
    // gcp-workload-identity-setup.sh:31-32).
    assert.equal(annotation("kubeflow-pipelines-viewer"), "kfp-dev-kfp-viewer@acme-ml-dev.iam.gserviceaccount.com");
    assert.equal(annotation("ml-pipeline-visualizationserver"), "kfp-dev-kfp-vis@acme-ml-dev.iam.gserviceaccount.com");
    const bucketRoles = (email: string) =>
      ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").map((b) => b.inputs as any).filter((b) => b.member === `serviceAccount:${email}`).map((b) => b.role);
    assert.deepEqual(bucketRoles("kfp-dev-kfp-viewer@acme-ml-dev.iam.gserviceaccount.com"), ["roles/storage.objectViewer"]);
    assert.deepEqual(bucketRoles("kfp-dev-kfp-vis@acme-ml-dev.iam.gserviceaccount.com"), ["roles/storage.objectViewer"]);
    assert.equal(annotation("ml-pipeline"), "kfp-dev-kfp-api@acme-ml-dev.iam.gserviceaccount.com");
    assert.equal(annotation("ml-pipeline-ui"), "kfp-dev-kfp-ui@acme-ml-dev.iam.gserviceaccount.com");
    assert.equal(annotation("pipeline-runner"), "kfp-dev-kfp-runs@acme-ml-dev.iam.gserviceaccount.com");
  });

  it("limits the HMAC key's account to this bucket, and hands the key only to the API server and Argo's log archive", () => {
    const bindings = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").map((b) => b.inputs as any);
    const hmac = bindings.filter((b) => b.member === "serviceAccount:kfp-dev-kfp-s3@acme-ml-dev.iam.gserviceaccount.com");
    assert.deepEqual(hmac.map((b) => b.role).sort(), ["roles/storage.legacyBucketReader", "roles/storage.objectAdmin"]);
    assert.ok(bindings.every((b) => b.bucket === BUCKET));
    assert.deepEqual(ofType(plan, "gcp:projects/iAMMember:IAMMember").map((m) => (m.inputs as any).role), ["roles/container.defaultNodeServiceAccount"], "no project-wide storage role");
    const key = findObject(plan, "Secret", "mlpipeline-minio-artifact") as any;
    assert.deepEqual(key.stringData, { accesskey: key.stringData.accesskey, secretkey: "[secret]" });
    const api = (findObject(plan, "Deployment", "ml-pipeline") as any).spec.template.spec.containers[0].env;
    const env = (name: string) => api.find((e: any) => e.name === name);
    assert.equal(env("OBJECTSTORECONFIG_HOST").value, "storage.googleapis.com");
    assert.equal(env("OBJECTSTORECONFIG_SECURE").value, "true");
    assert.deepEqual(env("OBJECTSTORECONFIG_ACCESSKEY").valueFrom, { secretKeyRef: { name: "mlpipeline-minio-artifact", key: "accesskey" } });
    const repository = (findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data.artifactRepository as string;
    assert.match(repository, /s3:\n\s+endpoint: storage\.googleapis\.com\n\s+bucket: acme-kfp-dev-artifacts/);
    assert.match(repository, /accessKeySecret:/, "the UI reads archived logs only from an s3: repository");
    const launcher = (findObject(plan, "ConfigMap", "kfp-launcher") as any).data;
    assert.equal(launcher.defaultPipelineRoot, `gs://${BUCKET}/v2/artifacts`);
    assert.match(launcher.providers, /gs:\n\s+default:\n\s+credentials:\n\s+fromEnv: true/);
  });
});

describe("gcp-prod stack", () => {
  let prod: PlanResult;
  before(async () => {
    prod = await planStack("gcp-prod", { root: REPO_ROOT, outDir: null });
  });

  it("plans without problems under the prod policy config", () => {
    assert.deepEqual(prod.problems, []);
    assert.equal(prod.policy!.diagnostics.filter((d) => d.level === "mandatory").length, 0);
  });

  it("makes Cloud SQL durable: regional, daily backups with binary logs for 14 days, private IP only, protected", () => {
    const sql = one(prod, "gcp:sql/databaseInstance:DatabaseInstance");
    const settings = (sql.inputs as any).settings;
    assert.equal((sql.inputs as any).databaseVersion, cloudSqlMysql.databaseVersion);
    assert.equal(settings.availabilityType, "REGIONAL");
    assert.deepEqual(settings.backupConfiguration, { enabled: true, binaryLogEnabled: true, startTime: "02:00", transactionLogRetentionDays: 7, backupRetentionSettings: { retainedBackups: 14, retentionUnit: "COUNT" } });
    assert.equal(settings.ipConfiguration.ipv4Enabled, false);
    assert.equal(settings.ipConfiguration.sslMode, "ENCRYPTED_ONLY");
    assert.equal(settings.deletionProtectionEnabled, true);
    assert.equal((sql.inputs as any).deletionProtection, true);
    assert.equal(sql.protect, true);
    assert.ok(sql.dependsOn.includes(one(prod, "gcp:servicenetworking/connection:Connection").urn), "waits for the private services peering");
    for (const type of ["gcp:storage/bucket:Bucket", "gcp:container/cluster:Cluster"]) assert.equal(one(prod, type).protect, true, type);
  });

  it("reserves Cloud SQL's private services range by its address, after the subnetwork has taken its ranges", () => {
    const range = one(prod, "gcp:compute/globalAddress:GlobalAddress");
    assert.deepEqual([(range.inputs as any).address, (range.inputs as any).prefixLength, (range.inputs as any).purpose], ["10.24.0.0", 16, "VPC_PEERING"]);
    assert.ok(range.dependsOn.includes(one(prod, "gcp:compute/subnetwork:Subnetwork").urn));
  });

  it("holds 1.35 on the Extended channel, with the stack's own NO_UPGRADES window beside the kit's hold", () => {
    const cluster = one(prod, "gcp:container/cluster:Cluster").inputs as any;
    assert.deepEqual(cluster.releaseChannel, { channel: "EXTENDED" });
    assert.deepEqual(
      cluster.maintenancePolicy.maintenanceExclusions.map((e: any) => [e.exclusionName, e.exclusionOptions.scope, e.exclusionOptions.endTimeBehavior ?? e.endTime]),
      [
        ["kfp-platform-hold", "NO_MINOR_OR_NODE_UPGRADES", "UNTIL_END_OF_SUPPORT"],
        ["jan-training", "NO_UPGRADES", "2027-02-08T00:00:00Z"],
      ],
    );
    assert.match(formatSummary(prod), /gke: EXTENDED channel at .* until end of extended support, 2028-02/);
    for (const p of ofType(prod, "gcp:container/nodePool:NodePool").filter((p) => ["l4", "a100"].includes((p.inputs as any).name))) {
      assert.deepEqual((p.inputs as any).nodeLocations, ["europe-west4-a", "europe-west4-b"]);
    }
  });

  it("reaches Cloud SQL through the Auth Proxy behind Service mysql, with Workload Identity and the client role", () => {
    const proxy = (findObject(prod, "Deployment", "cloudsql-proxy") as any).spec.template.spec;
    const args: string[] = proxy.containers[0].args;
    for (const flag of ["--private-ip", "--address=0.0.0.0", "--port=3306", "--http-address=0.0.0.0", "--health-check"]) assert.ok(args.includes(flag), flag);
    assert.equal(args.at(-1), "acme-ml-prod:europe-west4:kfp-prod-kfp");
    assert.equal(proxy.serviceAccountName, "cloudsql-proxy");
    assert.equal((findObject(prod, "ServiceAccount", "cloudsql-proxy") as any).metadata.annotations["iam.gke.io/gcp-service-account"], "kfp-prod-sql-proxy@acme-ml-prod.iam.gserviceaccount.com");
    assert.equal((findObject(prod, "Service", "mysql") as any).spec.selector.app, "cloudsql-proxy");
    const roles = ofType(prod, "gcp:projects/iAMMember:IAMMember").map((m) => [(m.inputs as any).role, (m.inputs as any).member]);
    assert.ok(roles.some(([role, member]) => role === "roles/cloudsql.client" && member === "serviceAccount:kfp-prod-sql-proxy@acme-ml-prod.iam.gserviceaccount.com"));
    assert.ok(
      ofType(prod, "gcp:serviceaccount/iAMMember:IAMMember").some((m) => (m.inputs as any).member === "serviceAccount:acme-ml-prod.svc.id.goog[kubeflow/cloudsql-proxy]"),
    );
  });

  it("pulls every image through an Artifact Registry remote repository of its registry, which the nodes may read", () => {
    const repos = ofType(prod, "gcp:artifactregistry/repository:Repository").map((r) => r.inputs as any);
    const byUpstream = new Map(repos.map((r) => [r.remoteRepositoryConfig.description, r]));
    assert.equal(byUpstream.get("docker.io").remoteRepositoryConfig.commonRepository.uri, "https://registry-1.docker.io");
    assert.equal(byUpstream.get("nvcr.io").remoteRepositoryConfig.commonRepository.uri, "https://nvcr.io", "nvcr.io, which ECR cannot cache");
    for (const r of repos) assert.deepEqual([r.format, r.mode, r.location], ["DOCKER", "REMOTE_REPOSITORY", "europe-west4"]);
    const pulled = imagesOf(prod);
    assert.deepEqual(pulled.filter((ref) => !ref.startsWith("europe-west4-docker.pkg.dev/acme-ml-prod/kfp-prod-")), []);
    assert.ok(pulled.includes(`europe-west4-docker.pkg.dev/acme-ml-prod/kfp-prod-quay-io/argoproj/argoexec:v3.6.7`));
    const readers = ofType(prod, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").map((m) => m.inputs as any);
    assert.equal(readers.length, repos.length);
    assert.ok(readers.every((m) => m.role === "roles/artifactregistry.reader" && m.member === "serviceAccount:kfp-prod-nodes@acme-ml-prod.iam.gserviceaccount.com"));
    const provider = one(prod, "pulumi:providers:kubernetes");
    for (const m of ofType(prod, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")) assert.ok(provider.dependsOn.includes(m.urn));
  });

  it("runs KFP on GCS and Cloud SQL: no MinIO, no in-cluster MySQL, the bootstrap Job through the proxy", () => {
    assert.equal(findObject(prod, "Deployment", "minio"), undefined);
    assert.equal(findObject(prod, "Deployment", "mysql"), undefined);
    const install = (findObject(prod, "ConfigMap", "pipeline-install-config") as any).data;
    assert.equal(install.dbHost, "mysql");
    assert.equal(install.defaultPipelineRoot, "gs://acme-kfp-prod-artifacts/v2/artifacts");
    const bootstrap = (findObject(prod, "Job", "mysql-bootstrap") as any).spec.template.spec.containers[0].env;
    assert.equal(bootstrap.find((e: any) => e.name === "DB_HOST").value, "mysql.kubeflow.svc");
  });
});

describe("gcp stack on an existing network", () => {
  it("creates no network, subnetwork, router or NAT, and puts the cluster on the given subnetwork and ranges", async () => {
    const doc = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.gcp-dev.yaml"), "utf8"));
    doc.config["kfp-platform:cluster"].existingNetwork = {
      network: "projects/acme-net/global/networks/shared",
      subnetwork: "projects/acme-net/regions/europe-west4/subnetworks/ml",
      podsRangeName: "ml-pods",
      servicesRangeName: "ml-services",
    };
    const shared = await planStack("shared", { root: tempRoot({ shared: stringify(doc) }), outDir: null });
    assert.deepEqual(shared.problems, []);
    for (const type of ["gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat"]) assert.equal(ofType(shared, type).length, 0, type);
    const cluster = one(shared, "gcp:container/cluster:Cluster").inputs as any;
    assert.equal(cluster.network, "projects/acme-net/global/networks/shared");
    assert.equal(cluster.subnetwork, "projects/acme-net/regions/europe-west4/subnetworks/ml");
    assert.deepEqual(cluster.ipAllocationPolicy, { clusterSecondaryRangeName: "ml-pods", servicesSecondaryRangeName: "ml-services" });
    const subnetworkElsewhere = { ...doc.config["kfp-platform:cluster"].existingNetwork, subnetwork: "projects/acme-net/regions/us-east1/subnetworks/ml" };
    assert.match(configProblems({ cluster: { target: "gcp", project: "acme-ml-dev", region: "europe-west4", name: "kfp-x", existingNetwork: subnetworkElsewhere } }, "stacks/Pulumi.x.yaml")[0], /existingNetwork\.subnetwork: .*not in the cluster's region europe-west4/);
  });
});

describe("gke-gpu-nodes-held", () => {
  const specs = (edit: (cluster: any) => void = () => undefined) =>
    plan.resources
      .filter((r) => ["gcp:container/nodePool:NodePool", "gcp:container/cluster:Cluster"].includes(r.type))
      .map((r) => {
        const props = structuredClone(r.wireInputs) as any;
        if (r.type === "gcp:container/cluster:Cluster") edit(props);
        return { type: r.type, name: r.name, props };
      });

  it("passes gcp-dev, whose cluster holds node upgrades until end of support", async () => {
    assert.deepEqual(await stackViolations(gkeGpuNodesHeld, specs()), []);
  });

  it("fails the GPU pool when the cluster's hold is removed or only holds minor upgrades", async () => {
    const gone = await stackViolations(gkeGpuNodesHeld, specs((c) => (c.maintenancePolicy.maintenanceExclusions = [])));
    assert.deepEqual(gone.map((f) => f.name), ["platform-gke-l4"]);
    assert.match(gone[0].message, /GPU node pool auto-upgrades and its cluster kfp-dev has no NO_MINOR_OR_NODE_UPGRADES maintenance exclusion/);
    const minorOnly = await stackViolations(gkeGpuNodesHeld, specs((c) => (c.maintenancePolicy.maintenanceExclusions[0].exclusionOptions.scope = "NO_MINOR_UPGRADES")));
    assert.equal(minorOnly.length, 1);
  });
});

describe("gpu-operator-for-gke-pools", () => {
  it("passes gcp-dev's pool with the operator release, and fails it without one", async () => {
    const specs = (types: string[]) =>
      plan.resources.filter((r) => types.includes(r.type)).map((r) => ({ type: r.type, name: r.name, props: r.wireInputs as Record<string, unknown> }));
    const pools = "gcp:container/nodePool:NodePool";
    const release = "kubernetes:helm.sh/v3:Release";
    assert.deepEqual(await stackViolations(gpuOperatorForGkePools, specs([pools, release])), []);
    const found = await stackViolations(gpuOperatorForGkePools, specs([pools]));
    assert.deepEqual(found.map((f) => f.name), ["platform-gke-l4"]);
    assert.match(found[0].message, /nvidia-l4 has GKE's driver installation disabled, and no GPU Operator release in the stack pins a driver/);
  });
});

describe("gcp config", () => {
  const FILE = "stacks/Pulumi.gcp-test.yaml";
  const cluster = (extra: Record<string, unknown> = {}) => ({ target: "gcp", project: "acme-ml-dev", region: "europe-west4", name: "kfp-test", ...extra });
  const gpu = (pool: Record<string, unknown>) => ({ gpuPools: { g: { machineType: "g2-standard-8", accelerator: { type: "nvidia-l4", count: 1 }, cuda: "12.8", zones: ["europe-west4-a"], ...pool } } });
  const problems = (c: Record<string, unknown>, extra: Record<string, unknown> = { gpu: { operator: { driverVersion: "580.173.02" } } }) => configProblems({ cluster: cluster(c), ...extra }, FILE);

  it("accepts a pool whose accelerator matches its machine type", () => {
    assert.deepEqual(problems(gpu({})), []);
    assert.deepEqual(problems(gpu({ machineType: "n1-standard-8", accelerator: { type: "nvidia-tesla-t4", count: 2 } })), []);
  });

  it("refuses a GPU the machine type cannot carry, naming the pair GCP would take", () => {
    assert.match(problems(gpu({ accelerator: { type: "nvidia-tesla-a100", count: 1 } }))[0], /gpuPools\.g\.accelerator: .*g2-standard-8 carries 1 x nvidia-l4; declare exactly that accelerator/);
    assert.match(problems(gpu({ machineType: "n1-standard-8", accelerator: { type: "nvidia-l4", count: 1 } }))[0], /N1 machines take .*; nvidia-l4 needs its own series \(L4: g2/);
    assert.match(problems(gpu({ machineType: "n1-standard-8", accelerator: { type: "nvidia-tesla-t4", count: 3 } }))[0], /attaches in counts of 1, 2, 4/);
  });

  it("refuses a GPU pool with no driver pin, and CUDA the pin cannot run", () => {
    assert.match(problems(gpu({}), {})[0], /gpuPools\.g: .*has no driver pin: .*set gpu\.operator\.driverVersion/);
    assert.deepEqual(problems({ ...gpu({}), releaseChannel: "regular" }), [], "GPU pools on a channel: held by the kit's exclusion");
    assert.match(problems(gpu({ cuda: "13.2" }))[0], /gpuPools\.g\.cuda: .*driver 580\.173\.02 runs CUDA up to 13\.0/);
    assert.match(problems(gpu({ machineType: "n1-standard-8", accelerator: { type: "nvidia-tesla-v100", count: 1 }, cuda: "13.0" }))[0], /gpuPools\.g\.cuda: .*runs CUDA up to 12\.9/);
  });

  it("refuses Cloud SQL without a standby or with fewer than 14 days of backups in prod, and off GCP", () => {
    const prodStack = (database: Record<string, unknown>) => configProblems({ environment: "prod", cluster: cluster({ masterAuthorizedCidrs: ["203.0.113.0/24"] }), objectStore: { kind: "gcs", bucket: "acme-kfp-x" }, database: { kind: "cloudsql", ...database } }, FILE);
    assert.deepEqual(prodStack({}), []);
    assert.match(prodStack({ highAvailability: false })[0], /database\.highAvailability: .*prod needs a standby/);
    assert.match(prodStack({ backupRetentionDays: 7 })[0], /database\.backupRetentionDays: .*at least 14 days/);
    assert.match(configProblems({ cluster: { target: "existing" }, database: { kind: "cloudsql" } }, FILE)[0], /database\.kind: .*cloudsql needs cluster\.target gcp/);
    assert.match(configProblems({ cluster: { target: "existing" }, objectStore: { kind: "gcs", bucket: "acme-kfp-x" } }, FILE)[0], /objectStore\.kind: .*gcs needs cluster\.target gcp/);
    assert.match(problems({}, { objectStore: { kind: "gcs", bucket: "my-google-bucket" } })[0], /objectStore\.bucket: .*GCS refuses bucket names that start with goog or contain google/);
  });

  it("refuses a pool named like another (GKE names are unique per cluster)", () => {
    assert.match(problems({ cpuPools: { system: { machineType: "e2-standard-8" } } })[0], /cpuPools\.system: .*already a node pool's name/);
    assert.match(problems({ cpuPools: { g: { machineType: "e2-standard-8" } }, ...gpu({}) })[0], /gpuPools\.g: .*already a node pool's name/);
  });

  it("refuses a malformed project, region or GKE build, and a build of another minor", () => {
    assert.match(problems({ project: "Acme" })[0], /cluster\.project: .*GCP project id/);
    assert.match(problems({ region: "europe-west4-a" })[0], /cluster\.region: .*GCP region/);
    assert.match(problems({ gkeVersion: "1.35" })[0], /cluster\.gkeVersion: .*exact GKE build/);
    assert.match(problems({ gkeVersion: "1.34.9-gke.1000000" })[0], /cluster\.gkeVersion: .*another Kubernetes minor/);
  });

  // Each rule of docs/gcp.md's "What the GKE API refuses" table, refused here first.
  it("refuses No channel, naming GKE's change and what to pick", () => {
    assert.match(problems({ releaseChannel: "none" })[0], /cluster\.releaseChannel: found "none"; allowed: "regular", "extended", "stable", "rapid": GKE no longer creates clusters on No channel \(GKE release notes, 2026-08-21.*choose regular or extended/);
    assert.match(problems({ releaseChannel: "beta" })[0], /cluster\.releaseChannel: found "beta"; allowed: "regular", "extended", "stable", "rapid"\.$/);
  });

  it("refuses a channel that does not offer the kit's build, and accepts it with a build the user names", () => {
    assert.match(problems({ releaseChannel: "stable" })[0], /cluster\.releaseChannel: found [^;]*; does not offer the kit's GKE build .*choose regular or extended/);
    assert.match(problems({ releaseChannel: "rapid" })[0], /cluster\.releaseChannel: found [^;]*; does not offer/);
    assert.deepEqual(problems({ releaseChannel: "extended" }), []);
    assert.deepEqual(problems({ releaseChannel: "stable", gkeVersion: "1.35.6-gke.1000000" }), []);
  });

  it("refuses an extra exclusion over 30 days, ending before it starts, or named like the kit's hold", () => {
    const exclusion = (endTime: string, name = "campaign") => ({ maintenanceExclusion: { name, startTime: "2027-01-10T00:00:00Z", endTime } });
    assert.deepEqual(problems(exclusion("2027-02-09T00:00:00Z")), []);
    assert.match(problems(exclusion("2027-02-09T00:00:01Z"))[0], /maintenanceExclusion\.endTime: found [^;]*; must be after startTime and at most 30 days later \(it is 30\.0 days\): GKE caps a NO_UPGRADES exclusion at 30 days/);
    assert.match(problems(exclusion("2027-01-09T00:00:00Z"))[0], /maintenanceExclusion\.endTime: found [^;]*; must be after startTime/);
    assert.match(problems(exclusion("2027-01-20T00:00:00Z", "kfp-platform-hold"))[0], /maintenanceExclusion\.name: found [^;]*; is the kit's own exclusion's name/);
    assert.match(problems({ maintenanceExclusion: { name: "x", startTime: "2027-01-10T00:00:00Z", endTime: "2027-01-11T00:00:00Z", scope: "NO_MINOR_UPGRADES" } })[0], /maintenanceExclusion\.scope: unknown key; allowed here: name, startTime, endTime/);
  });

  it("refuses a GPU pool without zones, or with a zone of another region", () => {
    assert.match(problems(gpu({ zones: undefined }))[0], /gpuPools\.g\.zones: /);
    assert.match(problems(gpu({ zones: ["us-east1-b"] }))[0], /gpuPools\.g\.zones\[0\]: found [^;]*; is not a zone of the cluster's region europe-west4/);
    assert.match(problems(gpu({ zones: ["europe-west4"] }))[0], /gpuPools\.g\.zones\[0\]: .*Compute Engine zone/);
  });

  it("refuses a control-plane range that is not a /28, ranges that overlap, and CIDRs GCE would not take", () => {
    const network = (n: Record<string, string>) => ({ network: n });
    assert.match(problems(network({ masterCidr: "172.16.0.0/24" }))[0], /network\.masterCidr: found [^;]*; must be a \/28 \(GKE's private control plane takes exactly a \/28\)/);
    assert.match(problems(network({ privateServicesCidr: "10.16.0.0/16" }))[0], /network\.privateServicesCidr: found [^;]*; overlaps network\.podsCidr \(10\.16\.0\.0\/14\)/);
    assert.match(problems(network({ servicesCidr: "10.10.0.0/24" }))[0], /network\.servicesCidr: found [^;]*; overlaps network\.nodesCidr/);
    assert.match(problems(network({ nodesCidr: "10.10.0.1/20" }))[0], /network\.nodesCidr: found [^;]*; has host bits set under \/20: the range's address is 10\.10\.0\.0\/20/);
    assert.match(problems(network({ nodesCidr: "10.300.0.0/20" }))[0], /network\.nodesCidr: found [^;]*; has an octet above 255/);
    assert.match(problems(network({ privateServicesCidr: "10.24.0.0/25" }))[0], /network\.privateServicesCidr: found [^;]*; must be a \/16 to \/24/);
  });
});
