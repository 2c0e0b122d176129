// The one table of pinned versions and images. Modules and policies read it; nothing else spells a
// version. Each pin carries a one-line reason so a reviewer can tell a deliberate pin from a stale one.

/**
 * When a pin leaves support, as its upstream publishes it: the support calendar `npm run plan` prints per
 * stack and policy `pins-supported` enforces (modules/facts/support.ts reads it). Dates are the upstream's;
 * `read` is the day the source was read, so a reviewer knows how stale the fact may be.
 */
export interface Support {
  /**
   * The day the pin leaves the support `phase` names, `YYYY-MM-DD`, or `YYYY-MM` where the upstream names
   * only a month (taken as its first day, the earliest it could mean); null where the upstream publishes
   * no date (then `policy` says what decides it).
   */
  readonly ends: string | null;
  /** What ends on that day: "standard support", "premier support", "end of life"... */
  readonly phase: string;
  /** What follows, if anything (paid extended support, forced upgrades), with its own end. */
  readonly then?: string;
  /** The upstream's rule, where it publishes a rule rather than (or besides) a date. */
  readonly policy?: string;
  readonly source: string;
  /** The day the source was read, `YYYY-MM-DD`. */
  readonly read: string;
}

/** The day this table's support facts were read (each entry may name its own). */
const READ = "2026-12-07";

/** A container image pinned to an exact tag. */
export interface ImagePin {
  /** Fully qualified repository, registry host included (no implicit docker.io). */
  readonly repository: string;
  readonly tag: string;
  /** Optional content digest (`sha256:...`); when set, the image reference is `repo:tag@digest`. */
  readonly digest?: string;
  /** Set when only some targets run the image (a cloud's registry caches leave out what it never runs). */
  readonly onlyOn?: readonly ("aws" | "gcp" | "existing")[];
  readonly why: string;
  /** The release line's support calendar, where its upstream publishes one. */
  readonly support?: Support;
}

/** The busybox release both busybox images use (the cache image and the pre-pull tools). */
const BUSYBOX = "1.36.1";
/** The NVIDIA GPU Operator release: its chart (charts.gpuOperator) and its own image (images.gpuOperator). */
const GPU_OPERATOR = "v26.7.0";
/** Where the GPU Operator runs: GKE GPU pools and existing clusters' `driver: gpu-operator` pools, never EKS. */
const OPERATOR_TARGETS = ["gcp", "existing"] as const;

/** Release lines the platform is built and tested for. */
export const releases = {
  kfp: {
    version: "2.14.0",
    why: "Standalone KFP backend release this kit reproduces object by object.",
    support: {
      ends: null,
      phase: "support",
      policy: "Kubeflow Pipelines publishes no support window or end-of-life date per release (none found in kubeflow/pipelines or the Kubeflow docs); fixes land in newer releases only. The kit holds 2.14.0 until someone decides to move (renovate.json holds it too).",
      source: "https://github.com/kubeflow/pipelines/releases",
      read: READ,
    },
  },
  argo: {
    version: "v3.6.7",
    why: "The Argo Workflows release KFP 2.14.0 ships (third-party/argo refs at tag 2.14.0).",
    support: {
      ends: null,
      phase: "support",
      policy: "Argo Workflows maintains release branches for the most recent two minor releases (docs/releases.md, \"Supported Versions\"); no dates. v3.6 leaves support when v3.8 is released; whether it has been was not checked here. Moves only with KFP.",
      source: "https://github.com/argoproj/argo-workflows/blob/main/docs/releases.md",
      read: READ,
    },
  },
  kubernetesApi: {
    version: "1.34",
    why: "API level rendered objects are validated against (kubernetes-models 5.1.0 schemas; EKS and GKE both offer 1.34).",
  },
} as const;

/**
 * The Python packages pipeline authors compile with for the pinned backend (docs/sdk.md; written to
 * sdk/constraints.txt). Read at tag 2.14.0 of kubeflow/pipelines: sdk/python/requirements.in pins
 * kfp-pipeline-spec==2.14.0 ("the contract between SDK and backend"), api/v2alpha1/python/setup.py and
 * kubernetes_platform/python/kfp/kubernetes/__init__.py are 2.14.0, backend/api/v2beta1/python_http_client
 * is 2.14.0. The 2.14.0 API server parses pipeline and Kubernetes specs strictly, so a newer SDK's fields
 * are refused at upload or run creation.
 */
export const kfpSdk = {
  kfp: {
    version: "2.14.3",
    why: "sdk-2.14.2 switched the client to kfp-server-api 2.14's renamed arguments (2.14.1 breaks creating runs with it); 2.14.3 fixes invalid platform-spec output; 2.14.5+ require kfp-pipeline-spec/kfp-server-api >= 2.14.3.",
  },
  "kfp-pipeline-spec": { version: "2.14.0", why: "The spec the 2.14.0 backend parses (the SDK's exact pin at the tag)." },
  "kfp-kubernetes": {
    version: "2.14.0",
    why: "Kubernetes platform spec of the 2.14 line; until sdk-2.14.4 the kfp[kubernetes] extra installs kfp-kubernetes<2, so pin it by name.",
  },
  "kfp-server-api": { version: "2.14.0", why: "The REST client generated from the 2.14.0 API server." },
} as const;

/**
 * KFP backend versions that must never be deployed, with the reason. 2.14.1 and 2.14.2 were SDK-only
 * releases; 2.14.3 changed only the K8s-native API path and still points at the unpullable MinIO image.
 */
export const refusedKfpVersions: Readonly<Record<string, string>> = {
  "2.14.1": "no such backend release: 2.14.1 exists only as an SDK tag, so its images do not exist",
  "2.14.2": "no such backend release: 2.14.2 exists only as an SDK tag, so its images do not exist",
  "2.14.3": "2.14.3 is not the pinned release: its manifests still reference the unpullable gcr.io MinIO image and it was never validated with this kit",
};

const kfp = (component: string, why: string): ImagePin => ({
  repository: `ghcr.io/kubeflow/${component}`,
  tag: releases.kfp.version,
  why,
});

export const images = {
  // --- data services of the `existing` foundation -------------------------------------------------
  mysql: {
    repository: "docker.io/library/mysql",
    tag: "8.4.6",
    why: "MySQL 8.4 LTS as upstream KFP runs it (upstream floats `mysql:8.4`; we pin the patch so rebuilds are identical).",
    support: {
      ends: "2029-04-30",
      phase: "premier support",
      then: "extended support until 2032-04-30 (Oracle Lifetime Support Policy)",
      source: "https://endoflife.date/api/mysql.json (cycle 8.4: support 2029-04-30, eol 2032-04-30; policy https://www.oracle.com/us/support/library/lifetime-support-technology-069183.pdf)",
      read: READ,
    },
  },
  minio: {
    repository: "docker.io/minio/minio",
    tag: "RELEASE.2019-08-14T20-37-41Z",
    why: "Same MinIO build KFP 2.14.x was tested with, from Docker Hub: upstream's gcr.io/ml-pipeline/minio image can no longer be pulled (KFP 2.14.4 made this same switch).",
    support: {
      ends: null,
      phase: "support",
      policy: "MinIO publishes no support window for community releases (none found); this 2019 build gets no fixes. It serves only the `existing` target's in-cluster object store.",
      source: "https://github.com/minio/minio/releases",
      read: READ,
    },
  },

  // --- KFP 2.14.0 control plane ------------------------------------------------------------------
  kfpApiServer: kfp("kfp-api-server", "KFP API server, pinned to the KFP release."),
  kfpPersistenceAgent: kfp("kfp-persistence-agent", "Syncs Argo workflow status into the KFP DB."),
  kfpScheduledWorkflow: kfp("kfp-scheduled-workflow-controller", "Recurring-run controller."),
  kfpFrontend: kfp("kfp-frontend", "KFP UI."),
  kfpViewerCrd: kfp("kfp-viewer-crd-controller", "Tensorboard viewer controller."),
  kfpVisualizationServer: kfp("kfp-visualization-server", "Python visualization server."),
  kfpCacheServer: kfp("kfp-cache-server", "Cache mutating webhook server."),
  kfpCacheDeployer: kfp("kfp-cache-deployer", "Upstream's runtime certificate issuer for the cache webhook (kept at zero replicas)."),
  kfpMetadataWriter: kfp("kfp-metadata-writer", "Writes run metadata to MLMD."),
  kfpMetadataEnvoy: kfp("kfp-metadata-envoy", "gRPC-web proxy in front of MLMD for the UI."),
  kfpDriver: kfp("kfp-driver", "v2 driver, started in every pipeline step (V2_DRIVER_IMAGE)."),
  kfpLauncher: kfp("kfp-launcher", "v2 launcher, started in every pipeline step (V2_LAUNCHER_IMAGE)."),
  mlmdServer: {
    repository: "gcr.io/tfx-oss-public/ml_metadata_store_server",
    tag: "1.14.0",
    why: "ML Metadata server version KFP 2.14.0 deploys (still pullable as of Nov 2025, kubeflow/pipelines#12422).",
  },

  // --- Argo Workflows v3.6.7 -----------------------------------------------------------------------
  argoWorkflowController: {
    repository: "quay.io/argoproj/workflow-controller",
    tag: releases.argo.version,
    why: "Argo controller at the version KFP 2.14.0 ships.",
  },
  cacheImage: {
    repository: "docker.io/library/busybox",
    tag: BUSYBOX,
    why: "Image the cache webhook swaps into cached steps (it only echoes); upstream names ghcr.io/containerd/busybox untagged (latest), whose tags are version prefixes (1.36); the official image has exact releases.",
  },
  prepullTools: {
    repository: "docker.io/library/busybox",
    tag: `${BUSYBOX}-musl`,
    why: "Static busybox the pre-pull DaemonSets copy into every image they hold, so shell-less images run `true` (docker-library/busybox musl variant builds CONFIG_STATIC=y; the default glibc variant is dynamic).",
  },
  argoExec: {
    repository: "quay.io/argoproj/argoexec",
    tag: releases.argo.version,
    why: "Argo executor (init/wait containers of every step); must match the controller.",
  },

  // --- AWS foundation --------------------------------------------------------------------------------
  clusterAutoscaler: {
    repository: "registry.k8s.io/autoscaling/cluster-autoscaler",
    tag: "v1.35.2",
    why: "Cluster Autoscaler's minor must match the cluster's (eks.kubernetesVersion 1.35); 1.35.2 is the 1.35 patch of 2026-07-22 (kubernetes/autoscaler tag cluster-autoscaler-1.35.2).",
  },

  // --- backups ----------------------------------------------------------------------------------------
  awsCli: {
    repository: "public.ecr.aws/aws-cli/aws-cli",
    tag: "2.37.4",
    why: "AWS CLI v2 (Amazon Linux 2023 base: sh, sha256sum) for the backup upload and restore download; IRSA through the SDK's web-identity chain. 2.37.4 is pinned in public EKS IRSA test manifests of autumn 2026.",
  },

  // --- GPU pools (the GPU Operator's tags: NVIDIA/gpu-operator at tag v26.7.0, deployments/gpu-operator/
  // values.yaml, and its node-feature-discovery subchart; the kit sets each explicitly in the release so a
  // chart bump changes no image unless this table does) ------------------------------------------------
  nvidiaDevicePlugin: {
    repository: "nvcr.io/nvidia/k8s-device-plugin",
    tag: "v0.20.0",
    why: "NVIDIA device plugin v0.20.0 (NVIDIA/k8s-device-plugin tag of 2026-08-19): the kit's own DaemonSet on node-image pools (EKS AL2023 NVIDIA AMIs ship the driver and toolkit but not the plugin), and the GPU Operator's devicePlugin and gfd (values.yaml devicePlugin.version, gfd.version: v0.20.0).",
  },
  dcgmExporter: {
    repository: "nvcr.io/nvidia/k8s/dcgm-exporter",
    tag: "4.6.0-4.8.3-distroless",
    why: "DCGM 4.6.0 with exporter 4.8.3: the kit's exporter on node-image pools and the GPU Operator's (values.yaml dcgmExporter.version); distroless is the only variant NVIDIA keeps publishing (NVIDIA/dcgm-exporter#703).",
  },
  gpuOperator: {
    repository: "nvcr.io/nvidia/gpu-operator",
    tag: GPU_OPERATOR,
    onlyOn: OPERATOR_TARGETS,
    why: "The GPU Operator's own image at its chart's release: the operator Deployment and its CRD hook Jobs (operator.version) and the validator (validator.version; both default to the chart's appVersion, v26.7.0 in the published chart).",
  },
  gpuDriverManager: {
    repository: "nvcr.io/nvidia/cloud-native/k8s-driver-manager",
    tag: "v0.12.0",
    onlyOn: OPERATOR_TARGETS,
    why: "k8s-driver-manager v0.12.0 (values.yaml driver.manager.version): the driver DaemonSet's init container, which drains GPU pods before a driver (re)load.",
  },
  nvidiaContainerToolkit: {
    repository: "nvcr.io/nvidia/k8s/container-toolkit",
    tag: "v1.20.0",
    onlyOn: OPERATOR_TARGETS,
    why: "NVIDIA Container Toolkit v1.20.0 (values.yaml toolkit.version): adds containerd's `nvidia` runtime (in CDI mode, not made the default), which the operator's own pods run under through runtime class `nvidia`.",
  },
  migManager: {
    repository: "nvcr.io/nvidia/cloud-native/k8s-mig-manager",
    tag: "v0.15.0",
    onlyOn: OPERATOR_TARGETS,
    why: "k8s-mig-manager v0.15.0 (values.yaml migManager.version): runs on MIG-capable GPUs (A100, H100) only, leaving MIG disabled (config default all-disabled).",
  },
  nodeFeatureDiscovery: {
    repository: "registry.k8s.io/nfd/node-feature-discovery",
    tag: "v0.19.0",
    onlyOn: OPERATOR_TARGETS,
    why: "Node Feature Discovery v0.19.0, the GPU Operator's subchart (charts/node-feature-discovery appVersion, image.tag empty): labels nodes with NVIDIA PCI devices, which the operator needs before it deploys anything there.",
  },

  // --- multi-user gateway (kfp.mode multi-user) ---------------------------------------------------------
  gateway: {
    repository: "docker.io/nginxinc/nginx-unprivileged",
    tag: "1.30.5-alpine",
    why: "nginx 1.30.5 (stable line) built by nginx.org, non-root (uid 101), with auth_request, HTTP/2 and gRPC proxying; the gateway's config is ours (modules/kfp/multi-user/gateway-config.ts) and runs unchanged on Debian's 1.22 in the tests. Tags are rebuilt weekly: record the digest in the lock.",
  },
  oauth2Proxy: {
    repository: "quay.io/oauth2-proxy/oauth2-proxy",
    tag: "v7.15.5",
    why: "oauth2-proxy v7.15.5 (distroless, uid 65532); v7.15.2 fixed auth bypasses (a spoofed X-Forwarded-Uri among them), so never older. Serves /oauth2/auth for nginx's auth_request with X-Auth-Request-Email.",
  },

  // --- GCP -----------------------------------------------------------------------------------------------
  cloudSqlProxy: {
    repository: "gcr.io/cloud-sql-connectors/cloud-sql-proxy",
    tag: "2.25.3",
    onlyOn: ["gcp"],
    why: "Cloud SQL Auth Proxy v2.25.3 (2026-08-20; distroless, uid 65532): IAM-authorised TLS to Cloud SQL's private IP, behind Service `mysql` as upstream's GCP overlay does, so neither the API server nor ML Metadata needs its own TLS setup.",
  },

  // --- monitoring (kube-prometheus-stack 88.5.3: each tag is what that chart renders by default, read in
  // prometheus-community/helm-charts at tag kube-prometheus-stack-88.5.3, values.yaml and subcharts; the
  // kit sets them explicitly so a chart bump changes no image unless this table does) -------------------
  prometheus: {
    repository: "quay.io/prometheus/prometheus",
    tag: "v3.14.0-distroless",
    why: "Prometheus v3.14.0, the chart's prometheusSpec.image (distroless is the default since chart 85.x, UPGRADE.md).",
  },
  prometheusOperator: {
    repository: "quay.io/prometheus-operator/prometheus-operator",
    tag: "v0.93.1",
    why: "prometheus-operator v0.93.1, the chart's appVersion; its CRDs come from prometheus-operator-crds 31.0.1 (same operator version).",
  },
  prometheusConfigReloader: {
    repository: "quay.io/prometheus-operator/prometheus-config-reloader",
    tag: "v0.93.1",
    why: "The operator's config-reloader sidecar (same release as the operator).",
  },
  alertmanager: {
    repository: "quay.io/prometheus/alertmanager",
    tag: "v0.34.0",
    why: "Alertmanager v0.34.0, the chart's alertmanagerSpec.image.",
  },
  grafana: {
    repository: "docker.io/grafana/grafana",
    tag: "13.2.0",
    why: "Grafana 13.2.0, the appVersion of the grafana subchart 12.11.1 (grafana-community/helm-charts).",
  },
  grafanaSidecar: {
    repository: "quay.io/kiwigrid/k8s-sidecar",
    tag: "2.10.1",
    why: "k8s-sidecar 2.10.1, the grafana subchart's sidecar.image: loads the dashboards ConfigMaps labelled grafana_dashboard=1.",
  },
  kubeStateMetrics: {
    repository: "registry.k8s.io/kube-state-metrics/kube-state-metrics",
    tag: "v2.20.0",
    why: "kube-state-metrics v2.20.0, appVersion of the kube-state-metrics subchart 8.4.0.",
  },
  nodeExporter: {
    repository: "quay.io/prometheus/node-exporter",
    tag: "v1.12.1-distroless",
    why: "node-exporter v1.12.1, appVersion of the prometheus-node-exporter subchart 4.56.1 (distroless: the chart's default).",
  },
  webhookCertgen: {
    repository: "ghcr.io/jkroepke/kube-webhook-certgen",
    tag: "1.8.7",
    why: "Certificate Jobs of the operator's admission webhook (prometheusOperator.admissionWebhooks.patch.image at chart 88.5.3).",
  },
  mysqldExporter: {
    repository: "quay.io/prometheus/mysqld-exporter",
    tag: "v0.19.0",
    why: "mysqld_exporter v0.19.0, the image the prometheus-mysql-exporter chart 2.14.0 ships; credentials by --mysqld.address/--mysqld.username and MYSQLD_EXPORTER_PASSWORD (since v0.15).",
  },
} as const satisfies Record<string, ImagePin>;

export type ImageName = keyof typeof images;
export const IMAGE_NAMES = Object.keys(images) as [ImageName, ...ImageName[]];

/**
 * Resources KFP 2.14.0 hard-codes for the driver and launcher containers it adds to every pipeline step
 * (backend/src/v2/compiler/argocompiler/argo.go); not configurable. The launcher sets no memory request,
 * so namespaces with a memory quota need a LimitRange default for it.
 */
export const kfpStepOverhead = {
  driver: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  launcher: { requests: { cpu: "100m" }, limits: { cpu: "500m", memory: "128Mi" } },
} as const;

/**
 * The EKS release line the AWS foundation builds. One Kubernetes minor per kit release, so the AMI
 * release, the add-ons and the Cluster Autoscaler image (images.clusterAutoscaler) move together.
 */
export const eks = {
  kubernetesVersion: "1.35",
  why: "EKS 1.35 is in standard support until 2027-03-27; 1.34 left it on 2026-12-02 (EKS release calendar). The cluster's upgradePolicy is EXTENDED, so EKS never upgrades it on its own.",
  /** The minor's EKS calendar; the AMI release and the add-ons are built for it and leave with it. */
  support: {
    ends: "2027-03-27",
    phase: "standard support",
    then: "paid extended support until 2028-03-27, then EKS upgrades the cluster itself",
    policy: "A minor is in standard support for 14 months after its EKS release, then in extended support for 12 more.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (dates per minor as listed by https://endoflife.date/amazon-eks: 1.35 released 2026-01-28)",
    read: READ,
  },
  /** AL2023 AMI release for every node group (STANDARD and NVIDIA share one release string); its NVIDIA driver is in modules/facts/eks-nvidia-amis.ts. */
  amiRelease: { version: "1.35.6-20260714", why: "AMI release v20260714 for Kubernetes 1.35 (amazon-eks-ami CHANGELOG): NVIDIA driver 580.159.03, containerd 2.2.4, kernel 6.12." },
  /**
   * EKS add-on versions. Observed together on a running EKS 1.35 cluster (public deployment evidence,
   * Sep 2026) for vpc-cni, coredns and kube-proxy; aws-ebs-csi-driver from public IaC pins of Sep 2026.
   * Not read from AWS here: check with `aws eks describe-addon-versions --kubernetes-version 1.35`
   * before a first `pulumi up`, and override per stack with kfp-platform:cluster.addonVersions.
   */
  addons: {
    "vpc-cni": "v1.22.4-eksbuild.3",
    coredns: "v1.13.2-eksbuild.21",
    "kube-proxy": "v1.35.3-eksbuild.21",
    "aws-ebs-csi-driver": "v1.66.0-eksbuild.1",
  },
} as const;

export type EksAddon = keyof typeof eks.addons;

/** Cloud SQL for MySQL, the managed database of the GCP foundation. */
export const cloudSqlMysql = {
  databaseVersion: "MYSQL_8_0",
  why: "MySQL 8.0: ML Metadata 1.14.0 logs in only with mysql_native_password, which 8.0 still enables; whether Cloud SQL's 8.4 lets it be turned on (MySQL 8.4 ships it off) was not verified, so 8.4 waits for that check (gcloud sql flags list --database-version=MYSQL_8_4). Cloud SQL 8.0 is in extended support from 2026-07-01: check the billing before a long-lived prod stack.",
  /**
   * Past its end: Cloud SQL moved MySQL 8.0 to paid extended support on 2026-07-01 (MySQL 8.0's community
   * end of life was April 2026, with 8.0.46). policies/config/prod.json allows it, with its reason and
   * an expiry, until the 8.4 check above is done; every plan of a gcp stack prints it.
   */
  support: {
    ends: "2026-07-01",
    phase: "standard support",
    then: "paid extended support until 2029-07-01, when Cloud SQL's deprecation period begins",
    source: "https://cloud.google.com/sql/docs/mysql/db-versions (MySQL 8.0: extended support from 2026-07-01, deprecation from 2029-07-01)",
    read: READ,
  },
} as const;

/** The GKE release the GCP foundation builds: one exact build, on a cluster without a release channel. */
export const gke = {
  version: "1.35.8-gke.1626001",
  /**
   * Release channels whose valid versions include it: GKE release notes of 2026-10-08 (R43) add it to
   * Regular and Extended (and list 1.35.8-gke.1225000, the earlier pin, as no longer available in Regular);
   * Stable was still on 1.34 then. A cluster is created on a channel only with a version that channel offers.
   */
  channels: ["regular", "extended"],
  /** The channel a stack gets unless it names one: Regular, no extended-support fee. */
  defaultChannel: "regular",
  /**
   * End of support of the minor (GKE release schedule, read 2026-12-07 via endoflife.date): standard support
   * ends 2027-04-11 (Regular, Stable, Rapid); the Extended channel keeps it about 24 months after its Regular
   * release of 2026-02-11, to about 2028-02. GKE then upgrades clusters and nodes whatever the exclusions say.
   */
  endOfStandardSupport: "2027-04-11",
  endOfExtendedSupport: "2028-02 (about)",
  /** The support calendar per channel the kit offers (the same dates as above, with their source). */
  support: {
    regular: {
      ends: "2027-04-11",
      phase: "standard support",
      then: "GKE upgrades the control plane and the nodes, exclusions notwithstanding",
      source: "https://cloud.google.com/kubernetes-engine/docs/release-schedule (1.35, via https://endoflife.date/google-kubernetes-engine)",
      read: READ,
    },
    extended: {
      ends: "2028-02",
      phase: "extended support (Extended channel)",
      then: "GKE upgrades the control plane and the nodes, exclusions notwithstanding",
      policy: "About 24 months after the minor's Regular release (2026-02-11); the schedule gives the month only, so the plan counts from its first day.",
      source: "https://cloud.google.com/kubernetes-engine/docs/release-schedule",
      read: READ,
    },
  },
  /**
   * Start of the kit's hold (a NO_MINOR_OR_NODE_UPGRADES exclusion until end of support): a fixed past
   * instant, so no plan ever shows it change; GKE accepts past start times (cluster-toolkit #5910).
   */
  holdSince: "2026-12-07T00:00:00Z",
  why: "GKE 1.35.8-gke.1626001, offered on the Regular and Extended channels (GKE release notes 2026-10-08). GKE no longer creates clusters on No channel (release notes 2026-08-21), and on a channel node auto-upgrade cannot be off, so the kit holds the control plane's minor and every node pool's version with a NO_MINOR_OR_NODE_UPGRADES maintenance exclusion until end of support; only control-plane patches within 1.35 can still arrive. A GPU pool's driver comes from the GPU Operator (gpu.operator.driverVersion), not from the node image.",
} as const;

/** Helm charts the kit installs as pinned Helm v3 Releases (large operators whose CRDs arrive inside the release). */
export const charts = {
  gpuOperator: {
    chart: "gpu-operator",
    repository: "https://helm.ngc.nvidia.com/nvidia",
    version: GPU_OPERATOR,
    /** The driver the chart installs when driver.version is not set; the kit always sets it. */
    defaultDriver: "595.91.07",
    /**
     * The driver container's repository (values.yaml driver.repository/image). Not a row of `images`: its tag
     * is the stack's gpu.operator.driverVersion, and the operator appends each node's OS to it
     * (`580.173.02-ubuntu24.04`, controllers/object_controls.go resolveDriverTag), so no one tag or digest
     * exists for the table or the lock.
     */
    driverRepository: "nvcr.io/nvidia/driver",
    why: "NVIDIA GPU Operator v26.7.0 (2026-08-20; 26.7.x supported, 26.3.x deprecated), for existing clusters whose GPU nodes bring no driver. The chart version carries the leading v.",
    support: {
      ends: null,
      phase: "support",
      policy: "When a new major (YY.MM) is released the previous one is deprecated (critical bug and CVE fixes only) and older ones reach end of support; no dates. 26.7.x was Supported, 26.3.x Deprecated.",
      source: "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/platform-support.html",
      read: READ,
    },
  },
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    why: "kube-prometheus-stack 88.5.3 (2026-08-21; prometheus-operator v0.93.1), the newest release whose files were read; 9x releases exist but were not readable here. Its own CRDs are turned off (crds.enabled: false): Helm never upgrades CRDs from a chart's crds/ directory.",
    support: {
      ends: null,
      phase: "support",
      policy: "prometheus-community charts publish no support window: only the newest chart release gets fixes. Moves with prometheus-operator-crds (renovate.json groups them).",
      source: "https://github.com/prometheus-community/helm-charts",
      read: READ,
    },
  },
  prometheusOperatorCrds: {
    chart: "prometheus-operator-crds",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "31.0.1",
    /** The operator release whose CRDs it carries: the operator image kube-prometheus-stack runs. */
    operator: images.prometheusOperator.tag,
    why: "prometheus-operator-crds 31.0.1 carries the v0.93.1 CRDs as templates, so a chart bump upgrades them (byte-identical to kube-prometheus-stack 88.5.3's crds/ apart from template lines).",
  },
} as const;

/** The RDS for MySQL major version: the engine version and its parameter group family both follow it. */
const RDS_MYSQL = "8.4";

/** RDS for MySQL, the managed database of the AWS foundation. */
export const rdsMysql = {
  /** Major version prefix; RDS applies minor versions in the maintenance window (autoMinorVersionUpgrade). */
  engineVersion: RDS_MYSQL,
  parameterGroupFamily: `mysql${RDS_MYSQL}`,
  why: "MySQL 8.4 LTS: RDS for MySQL 8.0 left standard support on 2026-07-31 (paid Extended Support after). ML Metadata 1.14.0 speaks only mysql_native_password, which 8.4 ships disabled: the parameter group turns it on (mysql_native_password=ON).",
  /**
   * RDS's own end-of-standard-support date for 8.4 was not found here (the release calendar in
   * MySQL.Concepts.VersionMgmt, or `aws rds describe-db-major-engine-versions --engine mysql`, has it);
   * the community's end of premier support stands in, the earliest date RDS's could follow from.
   */
  support: {
    ends: "2029-04-30",
    phase: "community premier support (RDS's own date not read)",
    then: "RDS standard support at least to then, then paid RDS Extended Support for up to 3 years",
    source: "https://endoflife.date/api/mysql.json (cycle 8.4: support 2029-04-30); RDS calendar: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html",
    read: READ,
  },
} as const;

/**
 * Lowest Linux x86_64 driver that runs each CUDA toolkit with full features (CUDA release notes, table
 * "CUDA Toolkit and Corresponding Driver Versions", GA releases). Newer drivers run older CUDA.
 */
export const cudaDriverFloors: Readonly<Record<string, string>> = {
  "11.8": "520.61.05",
  "12.0": "525.60.13",
  "12.1": "530.30.02",
  "12.2": "535.54.03",
  "12.3": "545.23.06",
  "12.4": "550.54.14",
  "12.5": "555.42.02",
  "12.6": "560.28.03",
  "12.8": "570.26",
  "12.9": "575.51.03",
  "13.0": "580.65.06",
  "13.1": "590.44.01",
  "13.2": "595.45.04",
};

/**
 * NVIDIA data-center driver branches the kit's pools run (EKS NVIDIA AMI drivers, GPU Operator driver
 * versions): a driver's branch is its first version field. NVIDIA gives end-of-life months only. A
 * branch missing here is printed as unknown by the plan; add its row from the source before pinning it.
 */
export const nvidiaDriverBranches: Readonly<Record<string, Support>> = {
  "580": {
    ends: "2028-06",
    phase: "R580 (Long Term Support Branch) support",
    source: "https://docs.nvidia.com/datacenter/tesla/drivers/620/supported-drivers-and-cuda-toolkit-versions.html (table \"CUDA and Drivers\")",
    read: READ,
  },
  "595": {
    ends: "2027-03",
    phase: "R595 (Production Branch) support",
    source: "https://docs.nvidia.com/datacenter/tesla/drivers/620/supported-drivers-and-cuda-toolkit-versions.html (table \"CUDA and Drivers\")",
    read: READ,
  },
  "620": {
    ends: "2029-09",
    phase: "R620 (Long Term Support Branch) support",
    source: "https://docs.nvidia.com/datacenter/tesla/drivers/620/supported-drivers-and-cuda-toolkit-versions.html (table \"CUDA and Drivers\")",
    read: READ,
  },
};
