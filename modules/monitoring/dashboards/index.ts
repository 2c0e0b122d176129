// The dashboards a stack gets: the overview always, the GPU one where there are GPU pools.
import { gpuDashboard } from "./gpu";
import type { Dashboard } from "./model";
import { platformDashboard } from "./platform";

export function stackDashboards(platformNamespace: string, gpu: boolean): Dashboard[] {
  return [platformDashboard(platformNamespace), ...(gpu ? [gpuDashboard()] : [])];
}
