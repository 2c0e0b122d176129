// Object names other parts (policies, tests) look KFP's settings up by; dependency-free so the policy
// pack can import them.

/** Argo's controller ConfigMap: its `executor` key sizes every step's init and wait containers. */
export const CONTROLLER_CONFIG = "workflow-controller-configmap";
/** KFP's pipeline-root ConfigMap, read by the driver and launcher in each run namespace. */
export const LAUNCHER_CONFIG = "kfp-launcher";
