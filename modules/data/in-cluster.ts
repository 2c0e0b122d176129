// The in-cluster data services as any foundation builds them (existing clusters always; EKS in dev):
// MinIO for the object store and MySQL for the database, under upstream KFP's names.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Database, ObjectStore } from "../foundation/contract";
import type { StackConfig } from "../config/schema";
import type { ImageResolver } from "../images";
import { InClusterMinio } from "./minio";
import { InClusterMysql } from "./mysql";

export interface InClusterCommon {
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  readonly storageClass?: string;
  readonly protectData: boolean;
  /** What every object waits for (the platform namespace). */
  readonly dependsOn: pulumi.Resource[];
}

export function inClusterObjectStore(
  name: string,
  config: Extract<StackConfig["objectStore"], { kind: "minio" }>,
  common: InClusterCommon,
  opts: pulumi.ComponentResourceOptions,
): ObjectStore {
  const { bucket, storageSize, resources } = config;
  return new InClusterMinio(name, { ...common, bucket, storageSize, resources }, opts).objectStore;
}

export function inClusterDatabase(
  name: string,
  config: Extract<StackConfig["database"], { kind: "in-cluster" }>,
  common: InClusterCommon,
  opts: pulumi.ComponentResourceOptions,
): Database {
  const { storageSize, resources } = config;
  return new InClusterMysql(name, { ...common, storageSize, resources }, opts).database;
}
