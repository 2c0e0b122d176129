import type * as pulumi from "@pulumi/pulumi";
import type { Database } from "../foundation/contract";
import type { KfpSettings } from "../config/kfp";
import type { ImageResolver } from "../images";
import type { KfpMode } from "./multi-user/mode";
import type { ObjectStoreWiring } from "./object-store";

/**
 * Options for a child of a workload component: its parent, the cluster's provider, and what it must
 * wait for. A component's own dependsOn does not reach its children, so every child gets the base
 * dependencies (the namespace) plus the ones named here.
 */
export type ChildOptions = (...after: pulumi.Resource[]) => pulumi.CustomResourceOptions;

export function childOptions(parent: pulumi.Resource, provider: pulumi.ProviderResource, base: pulumi.Resource[]): ChildOptions {
  return (...after) => ({ parent, provider, dependsOn: [...base, ...after] });
}

/** What every part of the KFP component is built from. */
export interface KfpPartArgs {
  readonly namespace: string;
  readonly settings: KfpSettings;
  readonly database: Database;
  readonly wiring: ObjectStoreWiring;
  /** Single- or multi-user: what the multi-user install changes. */
  readonly mode: KfpMode;
  readonly images: ImageResolver;
  readonly opts: ChildOptions;
}
