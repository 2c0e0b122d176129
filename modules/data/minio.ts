// In-cluster MinIO under upstream KFP's names (Deployment `minio`, Service `minio-service`, PVC
// `minio-pvc`, Secret `mlpipeline-minio-artifact`), from a pullable pinned image, with generated keys
// instead of upstream's minio/minio123, the artifact bucket created up front, limits and probes.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ObjectStore } from "../foundation/contract";
import { fromSecret } from "../k8s/env";
import { objectMeta } from "../k8s/metadata";
import { ARTIFACT_KEY_SECRET } from "../foundation/names";
import { kfpDeployment, kfpService } from "../k8s/workload";
import { persistentVolumeClaim } from "../k8s/volume";
import type { DataServiceArgs } from "./args";

export interface InClusterMinioArgs extends DataServiceArgs {
  /** Artifact bucket (upstream: `mlpipeline`). */
  readonly bucket: string;
}

const PORT = 9000;
const SERVICE = "minio-service";
const KEY_SECRET = ARTIFACT_KEY_SECRET;
/** Region KFP's launcher assumes for `minio://` roots. */
const MINIO_REGION = "minio";

export class InClusterMinio extends pulumi.ComponentResource {
  /** The object store as the foundation contract describes it. */
  readonly objectStore: ObjectStore;

  constructor(name: string, args: InClusterMinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:data:InClusterMinio", name, {}, opts);
    const { namespace, provider } = args;
    const k8sOpts = { parent: this, provider, dependsOn: args.dependsOn ?? [] };

    const key = (suffix: string, length: number) =>
      pulumi.secret(new random.RandomPassword(`${name}-${suffix}`, { length, special: false }, { parent: this }).result);
    const keys = { accessKey: key("access-key", 20), secretKey: key("secret-key", 40) };
    const keySecret = new k8s.core.v1.Secret(
      `${name}-keys`,
      {
        metadata: objectMeta(KEY_SECRET, namespace),
        type: "Opaque",
        stringData: { accesskey: keys.accessKey, secretkey: keys.secretKey },
      },
      k8sOpts,
    );
    const claim = persistentVolumeClaim(`${name}-volume`, {
      name: "minio-pvc",
      namespace,
      size: args.storageSize,
      storageClass: args.storageClass,
      protect: args.protectData,
      opts: k8sOpts,
    });

    const securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsUser: 1000,
      runAsGroup: 0,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    };
    const dataMount = { name: "data", mountPath: "/data", subPath: "minio" };
    const deployment = kfpDeployment(
      `${name}-deployment`,
      namespace,
      {
        name: "minio",
        select: { app: "minio" },
        recreate: true,
        resources: args.resources,
        pod: {
          securityContext: { fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } },
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim.metadata.name } }],
        },
        initContainers: [
          {
            // In single-disk mode a bucket is a top-level directory: creating it here means the
            // bucket exists before KFP's API server or Argo first write to it.
            name: "create-bucket",
            image: args.images.ref("minio"),
            command: ["/bin/sh", "-c", `mkdir -p "/data/${args.bucket}"`],
            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
            securityContext,
            volumeMounts: [dataMount],
          },
        ],
        container: {
          name: "minio",
          image: args.images.ref("minio"),
          args: ["server", "/data"],
          env: [
            fromSecret("MINIO_ACCESS_KEY", KEY_SECRET, "accesskey"),
            fromSecret("MINIO_SECRET_KEY", KEY_SECRET, "secretkey"),
          ],
          ports: [{ name: "http", containerPort: PORT }],
          securityContext,
          livenessProbe: { httpGet: { path: "/minio/health/live", port: PORT }, periodSeconds: 20, timeoutSeconds: 5 },
          readinessProbe: { httpGet: { path: "/minio/health/ready", port: PORT }, periodSeconds: 10, timeoutSeconds: 5 },
          volumeMounts: [dataMount],
        },
      },
      { ...k8sOpts, dependsOn: [...k8sOpts.dependsOn, keySecret] },
    );
    const service = kfpService(`${name}-service`, namespace, SERVICE, { app: "minio" }, [{ name: "http", port: PORT }], k8sOpts);

    this.objectStore = {
      kind: "minio",
      bucket: args.bucket,
      endpoint: `${SERVICE}.${namespace}:${PORT}`,
      region: MINIO_REGION,
      secure: false,
      auth: { kind: "secret", secretName: KEY_SECRET, accessKeyKey: "accesskey", secretKeyKey: "secretkey", values: keys },
      readyResources: [deployment, service, keySecret],
    };
    this.registerOutputs({ endpoint: this.objectStore.endpoint, bucket: args.bucket });
  }
}
