// Defaults for pipeline step containers, the way Kubernetes gives them: a LimitRange in each namespace
// where runs execute. LimitRanger fills each missing field on its own (kubernetes
// plugin/pkg/admission/limitranger mergeContainerResources), after the Pod's own defaulting has made a
// limit without a request into request = limit (core/v1 SetDefaults_Pod). So no request or limit a
// pipeline sets can conflict with a default request. A default *limit* can: a container that asks for
// more memory than it and sets no limit gets the default limit and is refused (request > limit).
// Argo's `mainContainer` defaults, by contrast, are merged key by key before KFP's podSpecPatch, which
// is why the kit sets none (see modules/kfp/argo.ts).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "./metadata";

export const STEP_DEFAULTS_NAME = "kfp-step-defaults";

/** What a step container gets when it sets nothing (the stack's `kfp.stepDefaults`). */
export interface StepDefaults {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly memoryLimit?: string;
}

/** The LimitRange's single Container item, from the stack's `kfp.stepDefaults`. */
export function stepDefaultsItem(defaults: StepDefaults): k8s.types.input.core.v1.LimitRangeItem {
  return {
    type: "Container",
    defaultRequest: { cpu: defaults.requests.cpu, memory: defaults.requests.memory },
    ...(defaults.memoryLimit ? { default: { memory: defaults.memoryLimit } } : {}),
  };
}

export function stepDefaultsLimitRange(
  resourceName: string,
  namespace: string,
  defaults: StepDefaults,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.LimitRange {
  return new k8s.core.v1.LimitRange(
    resourceName,
    { metadata: objectMeta(STEP_DEFAULTS_NAME, namespace), spec: { limits: [stepDefaultsItem(defaults)] } },
    opts,
  );
}
