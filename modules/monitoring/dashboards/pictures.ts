// The pictures docs/monitoring.md shows: every dashboard a stack can get, as the default platform
// namespace renders it (the picture shows titles and kinds, which no setting changes).
import { stackDashboards } from ".";
import { dashboardSvg } from "./svg";

/** Repository path -> SVG text. */
export function dashboardPictures(): Record<string, string> {
  return Object.fromEntries(stackDashboards("kubeflow", true).map((d) => [`docs/dashboards/${d.uid}.svg`, dashboardSvg(d)]));
}
