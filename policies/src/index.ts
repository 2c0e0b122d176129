// The pack's policies, importable without starting the analyzer server (policies/index.ts does that).
import type { PolicyPackArgs } from "@pulumi/policy";
import { argoMatchesKfp } from "./rules/argo-matches-kfp";
import { containerResources } from "./rules/container-resources";
import { dataSafety } from "./rules/data-safety";
import { gkeGpuNodesHeld, gpuDriversPinned, gpuOperatorForGkePools } from "./rules/gpu-drivers-pinned";
import { gpuNodesTainted } from "./rules/gpu-nodes-tainted";
import { helmReleasesPinned } from "./rules/helm-releases-pinned";
import { imageDigests } from "./rules/image-digests";
import { imagesPinned } from "./rules/images-pinned";
import { kfpImagesPinned } from "./rules/kfp-images-pinned";
import { pinsSupported } from "./rules/pins-supported";
import { pipelineRootObjectStorage } from "./rules/pipeline-root-object-storage";
import { teamAccess } from "./rules/team-access";
import { teamEscalation } from "./rules/team-escalation";

export const PACK_NAME = "kfp-platform";

export const policies: PolicyPackArgs["policies"] = [
  kfpImagesPinned,
  argoMatchesKfp,
  imagesPinned,
  imageDigests,
  helmReleasesPinned,
  containerResources,
  gpuDriversPinned,
  gpuOperatorForGkePools,
  gkeGpuNodesHeld,
  gpuNodesTainted,
  pipelineRootObjectStorage,
  dataSafety,
  teamAccess,
  teamEscalation,
  pinsSupported,
];
