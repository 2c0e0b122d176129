// Pipeline artifacts live in object storage: KFP's launcher, UI and Argo all speak s3/gs/minio, while an
// NFS or hostPath volume ties runs to one node or one file server and escapes the store's backups.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PART_OF_LABEL } from "../../../modules/k8s/metadata";
import { knobs, stringList } from "../lib/config";
import { ARGO_CONFIGMAP, isConfigMap, KFP_LAUNCHER_CONFIGMAP, labelsOf, podSpecOf, PV, yamlValue } from "../lib/k8s";
import { reporter, type Props } from "../lib/report";

const NAME = "pipeline-root-object-storage";
/** Argo artifact repository kinds that are object stores (MinIO speaks s3). */
const OBJECT_STORE_REPOSITORIES = ["s3", "gcs"];

const config = knobs({
  platformNamespaces: stringList("Namespaces where KFP and its pipelines run (objects labelled part-of kfp-platform count too).", ["kubeflow"]),
  pipelineRootSchemes: stringList("Allowed kfp-launcher defaultPipelineRoot schemes.", ["s3://", "gs://", "minio://"]),
  kubeletHostPaths: stringList(
    "hostPath directories node agents may mount: the kubelet's sockets (device plugin registration, pod resources), which hold no data.",
    ["/var/lib/kubelet/device-plugins", "/var/lib/kubelet/pod-resources"],
  ),
});

export const pipelineRootObjectStorage: ResourceValidationPolicy = {
  name: NAME,
  description: "Pipeline roots and artifact repositories must be object storage (s3, gs, minio); no NFS or hostPath volumes in platform namespaces.",
  severity: "high",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const { platformNamespaces, pipelineRootSchemes, kubeletHostPaths } = config.read(args);
    const violation = reporter(NAME, args, report);
    const props: Props = args.props;
    const spec = podSpecOf(args.type, props);
    const inPlatform = (namespace: unknown) => platformNamespaces.includes(namespace as string) || labelsOf(props)[PART_OF_LABEL.key] === PART_OF_LABEL.value;
    if (spec && inPlatform(props.metadata?.namespace)) {
      for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
        const kind = volume?.nfs ? "nfs" : volume?.hostPath && !kubeletHostPaths.includes(volume.hostPath.path) ? "hostPath" : undefined;
        if (kind) violation(`volume ${volume.name} is ${kind}`, "keep pipeline data in the object store (kfp-launcher defaultPipelineRoot) and use PersistentVolumeClaims for service state");
      }
    } else if (args.type === PV && (props.spec?.nfs || props.spec?.hostPath) && inPlatform(props.spec?.claimRef?.namespace)) {
      violation(`persistent volume is ${props.spec.nfs ? "nfs" : "hostPath"} and bound into a platform namespace`, "use a StorageClass-provisioned volume, or object storage for pipeline data");
    } else if (isConfigMap(args.type, props, KFP_LAUNCHER_CONFIGMAP)) {
      const root = props.data?.defaultPipelineRoot;
      if (typeof root === "string" && root !== "" && !pipelineRootSchemes.some((scheme) => root.startsWith(scheme))) {
        violation(`defaultPipelineRoot ${root} is not object storage`, `use a ${pipelineRootSchemes.join(", ")} URL built from the foundation's object store`);
      }
    } else if (isConfigMap(args.type, props, ARGO_CONFIGMAP)) {
      const repository = yamlValue(props.data?.artifactRepository);
      const other = Object.keys(repository ?? {}).filter((key) => key !== "archiveLogs" && !OBJECT_STORE_REPOSITORIES.includes(key));
      if (other.length > 0) violation(`Argo's artifactRepository uses ${other.join(", ")}`, `configure artifactRepository.${OBJECT_STORE_REPOSITORIES.join(" or ")} from the foundation's object store`);
    }
  },
};
