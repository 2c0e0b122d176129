// The aws-dev and aws-prod stacks planned end to end (prod policy config): pinned node groups with GPU
// taints and scale-from-zero tags, the bucket's protections, IRSA trust for exactly KFP's object-store
// service accounts, the API server's empty keys, RDS durability, and KFP on S3 and RDS, not MinIO/MySQL.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import type { RecordedResource } from "../engine/harness";
import { MLMD_CONFIG_DIR, MLMD_CONFIG_FILE, MLMD_CONFIG_SECRET, mlmdServerConfig } from "../modules/kfp/metadata-config";
import { eks, images } from "../modules/versions";
import { containersOf, findObject, multiUserStackYaml, ofType, one, REPO_ROOT, tempRoot } from "./helpers";

const plans: Record<string, PlanResult> = {};
const byName = (plan: PlanResult, name: string) => plan.resources.find((r) => r.name === name)!;
const attached = (plan: PlanResult, type: string, bucket: RecordedResource) => ofType(plan, type).filter((r) => r.inputs.bucket === bucket.inputs.bucket);

before(async () => {
  // Each stack judged with its environment's policy config, as CI does.
  for (const stack of ["aws-dev", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
});

describe("aws stacks", () => {
  it("plan without problems under their environment's policy config", () => {
    for (const [stack, plan] of Object.entries(plans)) {
      assert.deepEqual(plan.problems, [], stack);
      assert.equal(plan.policy!.diagnostics.filter((d) => d.level === "mandatory").length, 0, stack);
    }
  });

  it("pin every node group's AMI type, Kubernetes version and AMI release", () => {
    for (const plan of Object.values(plans)) {
      const groups = ofType(plan, "aws:eks/nodeGroup:NodeGroup");
      assert.ok(groups.length >= 3);
      for (const g of groups) {
        assert.equal(g.inputs.version, eks.kubernetesVersion, g.name);
        assert.match(String(g.inputs.releaseVersion), new RegExp(`^${eks.kubernetesVersion.replace(".", "\\.")}\\.\\d+-\\d{8}$`), g.name);
        assert.ok(["AL2023_x86_64_STANDARD", "AL2023_x86_64_NVIDIA"].includes(g.inputs.amiType as string), g.name);
      }
      assert.equal(one(plan, "aws:eks/cluster:Cluster").inputs.version, eks.kubernetesVersion);
    }
  });

  it("taints and labels GPU groups, and requires IMDSv2 with a hop limit of 1 on every node", () => {
    const plan = plans["aws-prod"];
    const gpu = ofType(plan, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.inputs.amiType === "AL2023_x86_64_NVIDIA");
    assert.deepEqual(gpu.map((g) => (g.inputs.labels as any)["kfp-platform/pool"]).sort(), ["a100", "a10g"]);
    for (const g of gpu) {
      assert.deepEqual(g.inputs.taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }], g.name);
      assert.equal((g.inputs.labels as any)["kfp-platform/cuda"], "12.8");
      assert.equal(g.inputs.releaseVersion, "1.35.6-20260714");
    }
    for (const t of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate")) {
      assert.deepEqual(t.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 }, t.name);
      assert.equal((t.inputs.blockDeviceMappings as any)[0].ebs.encrypted, "true");
      assert.equal(t.inputs.imageId, undefined, "the node group's amiType and releaseVersion choose the AMI");
    }
    for (const g of ofType(plan, "aws:eks/nodeGroup:NodeGroup")) assert.equal(g.inputs.diskSize, undefined, "disk size lives in the launch template");
  });

  it("tags each scaling group so the Cluster Autoscaler can start a GPU node from zero", () => {
    const plan = plans["aws-prod"];
    const tagsOf = (group: string) => {
      const nodeGroup = ofType(plan, "aws:eks/nodeGroup:NodeGroup").find((g) => g.name === `platform-nodes-${group}`)!;
      const asg = (nodeGroup.outputs.resources as any)[0].autoscalingGroups[0].name;
      return Object.fromEntries(ofType(plan, "aws:autoscaling/tag:Tag").filter((t) => t.inputs.autoscalingGroupName === asg).map((t) => [(t.inputs.tag as any).key, (t.inputs.tag as any).value]));
    };
    const a100 = tagsOf("a100");
    assert.equal(a100["k8s.io/cluster-autoscaler/enabled"], "true");
    assert.equal(a100["k8s.io/cluster-autoscaler/kfp-prod"], "owned");
    assert.equal(a100["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"], "true:NoSchedule");
    assert.equal(a100["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"], "8", "p4d.24xlarge has eight GPUs");
    assert.equal(a100["k8s.io/cluster-autoscaler/node-template/label/kfp-platform/pool"], "a100");
    assert.equal(a100["k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator"], "nvidia-a100");
    assert.equal(tagsOf("a10g")["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"], "1");
    assert.equal(tagsOf("cpu")["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"], undefined);
    const minSizes = ofType(plan, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.inputs.amiType === "AL2023_x86_64_NVIDIA").map((g) => (g.inputs.scalingConfig as any).minSize);
    assert.deepEqual(minSizes, [0, 0]);
  });

  it("runs the Cluster Autoscaler at the cluster's minor, allowed to resize only this cluster's tagged groups", () => {
    const plan = plans["aws-prod"];
    const ca = containersOf(plan).find((c) => c.owner === "Deployment cluster-autoscaler")!.container;
    // Through the stack's registry.k8s.io pull-through cache (docs/images.md).
    assert.equal(ca.image, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/kfp-prod/k8s/autoscaling/cluster-autoscaler:${images.clusterAutoscaler.tag}`);
    assert.ok(images.clusterAutoscaler.tag.startsWith(`v${eks.kubernetesVersion}.`));
    assert.ok(ca.command.includes("--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/kfp-prod"));
    const policy = JSON.parse(byName(plan, "platform-autoscaler-role-policy").inputs.policy as string);
    const resize = policy.Statement.find((s: any) => s.Action.includes("autoscaling:SetDesiredCapacity"));
    assert.deepEqual(resize.Condition.StringEquals, { "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true", "aws:ResourceTag/k8s.io/cluster-autoscaler/kfp-prod": "owned" });
  });

  it("protects the bucket: versioned, KMS-encrypted, private, owner-enforced, TLS only, with lifecycle rules", () => {
    const plan = plans["aws-prod"];
    const bucket = ofType(plan, "aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === "acme-kfp-prod-artifacts")!;
    assert.ok(bucket, "the pipeline root's bucket");
    assert.deepEqual(attached(plan, "aws:s3/bucketVersioning:BucketVersioning", bucket)[0].inputs.versioningConfiguration, { status: "Enabled" });
    const sse = (attached(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket)[0].inputs.rules as any)[0];
    assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
    assert.match(sse.applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:eu-west-1:\d{12}:key\//);
    const block = attached(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket)[0].inputs;
    for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block[key], true, key);
    assert.deepEqual(attached(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket)[0].inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    const deny = JSON.parse(attached(plan, "aws:s3/bucketPolicy:BucketPolicy", bucket)[0].inputs.policy as string).Statement[0];
    assert.deepEqual([deny.Effect, deny.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
    assert.deepEqual(deny.Resource, [bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
    const rules = attached(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket)[0].inputs.rules as any[];
    assert.deepEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 30 });
    assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
    assert.ok(bucket.protect, "prod protects the bucket");
  });

  it("trusts each IRSA role for exactly one service account's token, with the exact aud and sub", () => {
    const plan = plans["aws-prod"];
    const issuer = ((one(plan, "aws:eks/cluster:Cluster").outputs.identities as any)[0].oidcs[0].issuer as string).replace("https://", "");
    const subs: string[] = [];
    for (const role of ofType(plan, "aws:iam/role:Role")) {
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
      if (!trust[0].Principal.Federated) continue;
      assert.equal(trust.length, 1, role.name);
      assert.equal(trust[0].Action, "sts:AssumeRoleWithWebIdentity");
      assert.deepEqual(Object.keys(trust[0].Condition), ["StringEquals"], `${role.name}: exact match only, no StringLike wildcards`);
      assert.equal(trust[0].Condition.StringEquals[`${issuer}:aud`], "sts.amazonaws.com", role.name);
      subs.push(trust[0].Condition.StringEquals[`${issuer}:sub`]);
    }
    assert.deepEqual(subs.sort(), [
      "system:serviceaccount:kube-system:cluster-autoscaler",
      "system:serviceaccount:kube-system:ebs-csi-controller-sa",
      // The database backup CronJob, scoped to backups/mysql/kfp-prod/ (modules/backup).
      "system:serviceaccount:kubeflow:kfp-db-backup",
      "system:serviceaccount:kubeflow:kubeflow-pipelines-viewer",
      "system:serviceaccount:kubeflow:ml-pipeline",
      "system:serviceaccount:kubeflow:ml-pipeline-ui",
      "system:serviceaccount:kubeflow:ml-pipeline-visualizationserver",
      "system:serviceaccount:kubeflow:pipeline-runner",
      // Each team's pipeline pods, scoped to the team's prefix (test/tenancy.test.ts).
      "system:serviceaccount:nlp:pipeline-runner",
      "system:serviceaccount:vision:pipeline-runner",
    ]);
    for (const sa of ["ml-pipeline", "ml-pipeline-ui", "pipeline-runner", "kubeflow-pipelines-viewer", "ml-pipeline-visualizationserver"]) {
      const role = byName(plan, `platform-artifacts-${sa}`);
      assert.equal((findObject(plan, "ServiceAccount", sa) as any).metadata.annotations["eks.amazonaws.com/role-arn"], role.outputs.arn, sa);
    }
    const uiPolicy = JSON.parse(byName(plan, "platform-artifacts-ml-pipeline-ui-policy").inputs.policy as string);
    assert.ok(!JSON.stringify(uiPolicy).includes("s3:PutObject"), "the UI only reads");
    // TensorBoard viewers and the visualization server read the pipeline root, and nothing else.
    for (const sa of ["kubeflow-pipelines-viewer", "ml-pipeline-visualizationserver"]) {
      const statements = JSON.parse(byName(plan, `platform-artifacts-${sa}-policy`).inputs.policy as string).Statement;
      const objects = statements.find((st: any) => st.Action.includes("s3:GetObject"));
      assert.deepEqual(objects.Action, ["s3:GetObject"], sa);
      const bucketArn = ofType(plan, "aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === "acme-kfp-prod-artifacts")!.outputs.arn;
      assert.deepEqual(objects.Resource, [`${bucketArn}/v2/artifacts/*`], sa);
      assert.ok(!JSON.stringify(statements).includes("s3:PutObject"), sa);
    }
  });

  it("in multi-user mode gives neither viewers nor the visualization server an identity", async () => {
    // Viewers run as the team's default-editor there; the central visualization server runs request code for callers KFP does not authorize.
    const root = tempRoot({ multi: multiUserStackYaml("aws-dev") });
    const plan = await planStack("multi", { root, outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    for (const sa of ["kubeflow-pipelines-viewer", "ml-pipeline-visualizationserver"]) {
      assert.equal(plan.resources.find((r) => r.name === `platform-artifacts-${sa}`), undefined, sa);
      assert.equal((findObject(plan, "ServiceAccount", sa) as any).metadata.annotations?.["eks.amazonaws.com/role-arn"], undefined, sa);
    }
  });

  it("gives the API server empty object-store keys and TLS to the database, and the UI no AWS keys", () => {
    const plan = plans["aws-prod"];
    const env = (deployment: string) =>
      Object.fromEntries(containersOf(plan).find((c) => c.owner === `Deployment ${deployment}`)!.container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    const api = env("ml-pipeline");
    assert.equal(api.OBJECTSTORECONFIG_ACCESSKEY, "");
    assert.equal(api.OBJECTSTORECONFIG_SECRETACCESSKEY, "");
    assert.equal(api.OBJECTSTORECONFIG_HOST, "s3.eu-west-1.amazonaws.com");
    assert.equal(api.OBJECTSTORECONFIG_SECURE, "true");
    assert.equal(api.DBCONFIG_MYSQLCONFIG_EXTRAPARAMS, '{"tls":"skip-verify"}');
    const ui = env("ml-pipeline-ui");
    assert.equal(ui.AWS_ACCESS_KEY_ID, undefined);
    assert.equal(ui.AWS_SECRET_ACCESS_KEY, undefined);
    assert.ok(findObject(plan, "Secret", "mlpipeline-minio-artifact"), "the UI needs the key Secret to exist, empty");
    const cache = containersOf(plan).find((c) => c.owner === "Deployment cache-server")!.container;
    assert.ok(cache.args.includes('--db_extra_params={"tls":"skip-verify"}'));
  });

  it("gives ML Metadata TLS to RDS through its server configuration file (1.14.0 has no TLS flag)", () => {
    for (const plan of Object.values(plans)) {
      const mlmd = containersOf(plan).find((c) => c.owner === "Deployment metadata-grpc-deployment")!.container;
      assert.deepEqual(mlmd.args.filter((a: string) => a.startsWith("--mysql_config_")), [], `${plan.stack}: no login flags beside the file`);
      assert.ok(mlmd.args.includes("--metadata_source_config_type=config_file"), plan.stack);
      assert.ok(mlmd.args.includes(`--metadata_store_server_config_file=${MLMD_CONFIG_DIR}/${MLMD_CONFIG_FILE}`), plan.stack);
      assert.deepEqual(mlmd.volumeMounts, [{ name: "server-config", mountPath: MLMD_CONFIG_DIR, readOnly: true }]);
      const pod = (findObject(plan, "Deployment", "metadata-grpc-deployment") as any).spec.template.spec;
      assert.deepEqual(pod.volumes, [{ name: "server-config", secret: { secretName: MLMD_CONFIG_SECRET } }]);
      assert.deepEqual((findObject(plan, "Secret", MLMD_CONFIG_SECRET) as any).stringData, { [MLMD_CONFIG_FILE]: "[secret]" });
    }
    // The file: TLS enforced without a CA (the image has none), schema upgrades as the flag gave them.
    const text = mlmdServerConfig({ host: "kfp.abc.eu-west-1.rds.amazonaws.com", port: 3306, database: "metadb", user: "kfp", password: 'p"w\\1' });
    assert.match(text, /^connection_config \{\n  mysql \{\n    host: "kfp\.abc\.eu-west-1\.rds\.amazonaws\.com"\n    port: 3306\n    database: "metadb"\n    user: "kfp"\n/);
    assert.ok(text.includes('    password: "p\\"w\\\\1"\n'), text);
    assert.match(text, /    ssl_options \{\n      verify_server_cert: false\n    \}\n  \}\n\}\nmigration_options \{\n  enable_upgrade_migration: true\n\}\n$/);
  });

  it("makes the prod database durable and the dev one cheap", () => {
    const prod = one(plans["aws-prod"], "aws:rds/instance:Instance");
    assert.equal(prod.inputs.engine, "mysql");
    assert.equal(prod.inputs.engineVersion, "8.4");
    for (const [key, value] of Object.entries({ multiAz: true, backupRetentionPeriod: 14, deletionProtection: true, skipFinalSnapshot: false, storageEncrypted: true, publiclyAccessible: false })) {
      assert.equal(prod.inputs[key], value, key);
    }
    assert.equal(prod.inputs.finalSnapshotIdentifier, "kfp-prod-kfp-final");
    assert.match(String(prod.inputs.kmsKeyId), /^arn:aws:kms:/);
    assert.equal(prod.inputs.password, "[secret]");
    assert.ok(prod.protect);
    const params = one(plans["aws-prod"], "aws:rds/parameterGroup:ParameterGroup").inputs;
    assert.equal(params.family, "mysql8.4");
    assert.deepEqual(params.parameters, [{ name: "mysql_native_password", value: "ON", applyMethod: "pending-reboot" }]);
    const dev = one(plans["aws-dev"], "aws:rds/instance:Instance");
    assert.deepEqual([dev.inputs.multiAz, dev.inputs.deletionProtection, dev.inputs.skipFinalSnapshot, dev.protect], [false, false, true, false]);
  });

  it("runs KFP on S3 and RDS: no MinIO, no in-cluster MySQL, the bootstrap Job against RDS", () => {
    for (const plan of Object.values(plans)) {
      for (const name of ["minio", "mysql"]) assert.equal(findObject(plan, "Deployment", name), undefined, name);
      assert.ok(containersOf(plan).every((c) => !String(c.container.image).includes("minio")));
      const rds = one(plan, "aws:rds/instance:Instance");
      const install = (findObject(plan, "ConfigMap", "pipeline-install-config") as any).data;
      assert.equal(install.dbHost, rds.outputs.address);
      assert.equal(install.mysqlHost, rds.outputs.address);
      const bucket = (plan.outputs.objectStore as { bucket: string }).bucket;
      assert.ok(ofType(plan, "aws:s3/bucket:Bucket").some((b) => b.inputs.bucket === bucket), "the stack creates the pipeline root's bucket");
      assert.equal((findObject(plan, "ConfigMap", "kfp-launcher") as any).data.defaultPipelineRoot, `s3://${bucket}/v2/artifacts?region=eu-west-1`);
      const repo = parse((findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data.artifactRepository).s3;
      assert.deepEqual([repo.endpoint, repo.bucket, repo.useSDKCreds, repo.insecure, repo.accessKeySecret], ["s3.eu-west-1.amazonaws.com", bucket, true, false, undefined]);
      const job = findObject(plan, "Job", "mysql-bootstrap") as any;
      assert.equal(job.spec.template.spec.containers[0].env.find((e: any) => e.name === "DB_HOST").value, rds.outputs.address);
      const credentials = findObject(plan, "Secret", "mysql-bootstrap") as any;
      assert.equal(credentials.metadata.namespace, "kubeflow-db-bootstrap", "the master password stays out of the platform namespace");
    }
  });

  it("protects every stateful resource in prod and none in dev", () => {
    const stateful = ["aws:eks/cluster:Cluster", "aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:rds/instance:Instance"];
    for (const type of stateful) {
      for (const r of ofType(plans["aws-prod"], type)) assert.ok(r.protect, `${r.name} protected in prod`);
      for (const r of ofType(plans["aws-dev"], type)) assert.ok(!r.protect, `${r.name} not protected in dev`);
    }
  });

  it("builds everything Kubernetes after the nodes, DNS and access entries exist, and nodes after the CNI", () => {
    const plan = plans["aws-prod"];
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of [...ofType(plan, "aws:eks/nodeGroup:NodeGroup"), ...ofType(plan, "aws:eks/accessEntry:AccessEntry"), byName(plan, "platform-coredns")]) {
      assert.ok(provider.dependsOn.includes(r.urn), `the Kubernetes provider waits for ${r.name}`);
    }
    const cni = byName(plan, "platform-vpc-cni");
    // Without the VPC CNI's network policy agent every NetworkPolicy (team fences, the gateway's) is ignored.
    assert.deepEqual(JSON.parse(String(cni.inputs.configurationValues)), { enableNetworkPolicy: "true" });
    for (const g of ofType(plan, "aws:eks/nodeGroup:NodeGroup")) assert.ok(g.dependsOn.includes(cni.urn), `${g.name} waits for the VPC CNI`);
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig as string);
    assert.deepEqual(kubeconfig.users[0].user.exec.args, ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "kfp-prod", "--output", "json"]);
    // The DR copies' resources in the DR region use that region's provider, the rest the cluster's.
    for (const r of plan.resources.filter((x) => x.type.startsWith("aws:"))) {
      const drRegion = r.provider?.includes("pulumi:providers:aws::platform-dr-aws");
      assert.ok(r.provider?.includes("pulumi:providers:aws::platform-aws") || (drRegion && r.urn.includes("kfp-platform:aws:DisasterRecoveryCopies")), `${r.name} uses an explicit AWS provider`);
    }
  });

  it("makes the control-plane log group before the cluster: kept logTypes days, encrypted with a key only CloudWatch Logs may use for that group", () => {
    const plan = plans["aws-prod"];
    const group = byName(plan, "platform-eks-logs");
    assert.deepEqual([group.type, group.inputs.name, group.inputs.retentionInDays], ["aws:cloudwatch/logGroup:LogGroup", "/aws/eks/kfp-prod/cluster", 90]);
    assert.ok(one(plan, "aws:eks/cluster:Cluster").dependsOn.includes(group.urn), "EKS would otherwise create the group itself, forever and unencrypted");
    const key = byName(plan, "platform-eks-logs-key");
    assert.equal(group.propertyDependencies?.kmsKeyId?.[0] ?? key.urn, key.urn);
    const statement = JSON.parse(String(key.inputs.policy)).Statement.find((s: any) => s.Sid === "CloudWatchLogs");
    assert.deepEqual(statement.Principal, { Service: "logs.eu-west-1.amazonaws.com" });
    assert.deepEqual(statement.Condition, { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/kfp-prod/cluster" } });
    assert.equal(key.protect, true);
  });

  it("admits the configured admins and maps teams to their Kubernetes group", () => {
    const plan = plans["aws-prod"];
    const entries = ofType(plan, "aws:eks/accessEntry:AccessEntry").map((e) => [e.inputs.principalArn, e.inputs.kubernetesGroups]);
    assert.deepEqual(entries.sort(), [
      ["arn:aws:iam::123456789012:role/platform-admins", undefined],
      ["arn:aws:iam::123456789012:role/team-nlp", ["kfp-team:nlp"]],
      ["arn:aws:iam::123456789012:role/team-vision", ["kfp-team:vision"]],
    ]);
    const admin = one(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs;
    assert.equal(admin.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    assert.equal(one(plan, "aws:eks/cluster:Cluster").inputs.accessConfig && (one(plan, "aws:eks/cluster:Cluster").inputs.accessConfig as any).authenticationMode, "API");
  });
});

describe("aws stack on existing subnets", () => {
  it("creates no VPC, NAT or subnets, uses the given subnets, and adds the S3 endpoint to the given route tables", async () => {
    const root = tempRoot({
      shared: [
        "config:",
        "  kfp-platform:environment: staging",
        "  kfp-platform:cluster:",
        "    target: aws",
        "    region: us-east-2",
        '    accountId: "123456789012"',
        "    name: kfp-shared",
        "    existingNetwork:",
        "      vpcId: vpc-0abc",
        "      privateSubnetIds: [subnet-0aa, subnet-0bb]",
        "      privateRouteTableIds: [rtb-0cc]",
        "    admins: [arn:aws:iam::123456789012:role/platform-admins]",
        "  kfp-platform:objectStore: { kind: s3, bucket: acme-kfp-shared }",
        "  kfp-platform:database: { kind: rds }",
        "",
      ].join("\n"),
    });
    const plan = await planStack("shared", { root, outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway"]) assert.equal(ofType(plan, type).length, 0, type);
    assert.deepEqual((one(plan, "aws:eks/cluster:Cluster").inputs.vpcConfig as any).subnetIds, ["subnet-0aa", "subnet-0bb"]);
    const endpoint = one(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs;
    assert.deepEqual([endpoint.serviceName, endpoint.routeTableIds], ["com.amazonaws.us-east-2.s3", ["rtb-0cc"]]);
    assert.match(String(one(plan, "aws:rds/instance:Instance").outputs.address), /\.us-east-2\.rds\.amazonaws\.com$/);
  });
});
