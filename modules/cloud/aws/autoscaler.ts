// The Cluster Autoscaler for the EKS node groups: typed objects (so the plan, the schema check and the
// policies see its container), image pinned to the cluster's minor, an IRSA role that may resize only
// Auto Scaling groups tagged for this cluster. A pod that fits no group stays Pending with a
// NotTriggerScaleUp event naming why. Flags, RBAC and IAM from kubernetes/autoscaler
// cluster-autoscaler/cloudprovider/aws (README, examples/cluster-autoscaler-autodiscover.yaml) and the
// EKS best-practices guide (least-privilege conditions).
import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ImageResolver } from "../../images";
import { kitMeta } from "../../k8s/metadata";
import { RUNTIME_DEFAULT_SECCOMP } from "../../k8s/workload";
import { irsaRole, type OidcProvider } from "./irsa";
import { POOL_LABEL } from "../../foundation/gpu-pools";
import { SYSTEM_POOL_TOLERATIONS } from "../../k8s/placement";

const NAME = "cluster-autoscaler";
const NAMESPACE = "kube-system";
const APP = { "app.kubernetes.io/name": NAME };

export interface ClusterAutoscalerArgs {
  readonly clusterName: string;
  readonly region: string;
  readonly oidc: OidcProvider;
  readonly images: ImageResolver;
  readonly awsProvider: aws.Provider;
  readonly k8sProvider: k8s.Provider;
}

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const READ = ["watch", "list", "get"];

export class ClusterAutoscaler extends pulumi.ComponentResource {
  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:ClusterAutoscaler", name, {}, opts);
    const taggedForThisCluster = {
      StringEquals: {
        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
        [`aws:ResourceTag/k8s.io/cluster-autoscaler/${args.clusterName}`]: "owned",
      },
    };
    const role = irsaRole(
      `${name}-role`,
      {
        oidc: args.oidc,
        namespace: NAMESPACE,
        serviceAccount: NAME,
        description: `Cluster Autoscaler of ${args.clusterName} (IRSA)`,
        statements: [
          {
            Sid: "ResizeOnlyThisClustersGroups",
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: taggedForThisCluster,
          },
          {
            Sid: "Describe",
            Effect: "Allow",
            Action: [
              "autoscaling:DescribeAutoScalingGroups",
              "autoscaling:DescribeAutoScalingInstances",
              "autoscaling:DescribeLaunchConfigurations",
              "autoscaling:DescribeScalingActivities",
              "autoscaling:DescribeTags",
              "ec2:DescribeImages",
              "ec2:DescribeInstanceTypes",
              "ec2:DescribeLaunchTemplateVersions",
              "ec2:GetInstanceTypesFromInstanceRequirements",
              "eks:DescribeNodegroup",
            ],
            Resource: "*",
          },
        ],
      },
      { parent: this, provider: args.awsProvider },
    );

    const k8sOpts = { parent: this, provider: args.k8sProvider };
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      { metadata: kitMeta(NAME, NAMESPACE, APP, { "eks.amazonaws.com/role-arn": role.arn }) },
      k8sOpts,
    );
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-cluster-role`,
      {
        metadata: kitMeta(NAME, undefined, APP),
        rules: [
          rule([""], ["events", "endpoints"], ["create", "patch"]),
          rule([""], ["pods/eviction"], ["create"]),
          rule([""], ["pods/status"], ["update"]),
          rule([""], ["endpoints"], ["get", "update"], [NAME]),
          rule([""], ["nodes"], ["watch", "list", "get", "update"]),
          rule([""], ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes", "podtemplates", "configmaps"], READ),
          rule(["extensions"], ["replicasets", "daemonsets"], READ),
          rule(["policy"], ["poddisruptionbudgets"], ["watch", "list"]),
          rule(["apps"], ["statefulsets", "replicasets", "daemonsets", "deployments"], READ),
          rule(["resource.k8s.io"], ["deviceclasses", "resourceslices", "resourceclaims"], READ),
          rule(["storage.k8s.io"], ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"], READ),
          rule(["batch", "extensions"], ["jobs"], ["get", "list", "watch", "patch"]),
          rule(["batch"], ["cronjobs"], READ),
          rule(["coordination.k8s.io"], ["leases"], ["create"]),
          rule(["coordination.k8s.io"], ["leases"], ["get", "update"], [NAME]),
        ],
      },
      k8sOpts,
    );
    const namespacedRole = new k8s.rbac.v1.Role(
      `${name}-role`,
      {
        metadata: kitMeta(NAME, NAMESPACE, APP),
        rules: [
          rule([""], ["configmaps"], ["create", "list", "watch"]),
          rule([""], ["configmaps"], ["delete", "get", "update", "watch"], ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"]),
        ],
      },
      k8sOpts,
    );
    const subject = { kind: "ServiceAccount", name: NAME, namespace: NAMESPACE };
    const bindings = [
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-cluster-role-binding`,
        { metadata: kitMeta(NAME, undefined, APP), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name }, subjects: [subject] },
        k8sOpts,
      ),
      new k8s.rbac.v1.RoleBinding(
        `${name}-role-binding`,
        { metadata: kitMeta(NAME, NAMESPACE, APP), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: namespacedRole.metadata.name }, subjects: [subject] },
        k8sOpts,
      ),
    ];
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: kitMeta(NAME, NAMESPACE, APP),
        spec: {
          replicas: 1,
          selector: { matchLabels: APP },
          template: {
            metadata: { labels: APP },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              priorityClassName: "system-cluster-critical",
              // On the system group, which never scales to zero, so the autoscaler cannot remove its own node.
              nodeSelector: { [POOL_LABEL]: "system" },
              tolerations: SYSTEM_POOL_TOLERATIONS,
              securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, ...RUNTIME_DEFAULT_SECCOMP },
              containers: [
                {
                  name: NAME,
                  image: args.images.ref("clusterAutoscaler"),
                  imagePullPolicy: "IfNotPresent",
                  command: [
                    "./cluster-autoscaler",
                    "--cloud-provider=aws",
                    `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${args.clusterName}`,
                    "--balance-similar-node-groups",
                    "--expander=least-waste",
                    "--skip-nodes-with-system-pods=false",
                    "--skip-nodes-with-local-storage=false",
                    "--stderrthreshold=info",
                    "--v=2",
                  ],
                  env: [
                    { name: "AWS_REGION", value: args.region },
                    { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
                  ],
                  resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
                },
              ],
            },
          },
        },
      },
      { ...k8sOpts, dependsOn: bindings },
    );
    this.registerOutputs({ roleArn: role.arn });
  }
}
