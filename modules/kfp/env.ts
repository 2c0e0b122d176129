// Container env entries in upstream KFP's four shapes: literal, ConfigMap key, Secret key, pod field.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Upstream's install-wide ConfigMap that most components read settings from. */
export const INSTALL_CONFIG = "pipeline-install-config";

export const literal = (name: string, value: pulumi.Input<string>): EnvVar => ({ name, value });
export const fromInstallConfig = (name: string, key: string): EnvVar => ({ name, valueFrom: { configMapKeyRef: { name: INSTALL_CONFIG, key } } });
export const fromSecret = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
export const fromField = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
