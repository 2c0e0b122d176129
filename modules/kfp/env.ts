// KFP's env conventions: most settings come from the install-wide ConfigMap.
import { type EnvVar, fromConfigMap } from "../k8s/env";

export { type EnvVar, fromField, fromSecret, literal } from "../k8s/env";

/** Upstream's install-wide ConfigMap that most components read settings from. */
export const INSTALL_CONFIG = "pipeline-install-config";

export const fromInstallConfig = (name: string, key: string): EnvVar => fromConfigMap(name, INSTALL_CONFIG, key);
