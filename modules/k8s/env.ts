// Container env entries in the four shapes the kit uses: literal, ConfigMap key, Secret key, pod field.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type EnvVar = k8s.types.input.core.v1.EnvVar;

export const literal = (name: string, value: pulumi.Input<string>): EnvVar => ({ name, value });
export const fromConfigMap = (name: string, configMap: string, key: string): EnvVar => ({ name, valueFrom: { configMapKeyRef: { name: configMap, key } } });
export const fromSecret = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
export const fromField = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
