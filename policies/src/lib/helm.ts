// Helm releases (kubernetes:helm.sh/v3:Release) and charts (kubernetes:helm.sh/v4:Chart) share the
// inputs that say what gets installed: chart, version, repositoryOpts.repo and values.
import { HELM_TYPES } from "./k8s";
import type { Props } from "./report";

export interface HelmChart {
  chart: string;
  version?: string;
  /** Where the chart comes from: repositoryOpts.repo, or the chart itself when it is an oci:// URL. */
  repository?: string;
  /** A chart from a folder in this repository, pinned by git. */
  local: boolean;
  values: Props;
}

export function helmChartOf(type: string, props: Props): HelmChart | undefined {
  if (!HELM_TYPES.includes(type) || typeof props.chart !== "string") return undefined;
  const chart = props.chart;
  const oci = chart.startsWith("oci://");
  return {
    chart,
    version: typeof props.version === "string" && props.version !== "" ? props.version : undefined,
    repository: oci ? chart : props.repositoryOpts?.repo,
    local: /^(\.|\/|file:\/\/)/.test(chart),
    values: props.values ?? {},
  };
}

/** An exact semantic version (`1.2.3`, `v25.3.0`, `1.2.3-rc.1`), not a range. */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
