// Where one stack's images come from: the foundation's registry caches follow from the config alone, so
// every image reference is final before anything exists (and the plan and policies see final ones).
import type { StackConfig } from "../config/schema";
import { gcpImageCaches } from "./artifact-registry-caches";
import { awsImageCaches, type EcrCachePlan } from "./ecr-caches";
import { ImageResolver } from "./index";

export function stackImages(config: StackConfig): { images: ImageResolver; caches?: EcrCachePlan } {
  const caches = config.cluster.target === "aws" ? awsImageCaches(config.cluster) : undefined;
  const routes = config.cluster.target === "gcp" ? gcpImageCaches(config.cluster).routes : (caches?.routes ?? []);
  return { images: new ImageResolver(config.images, undefined, routes), caches };
}
