// Which pins of the versions table a stack uses, and how long each is supported: read from the stack's
// own resources (what it would really create, stack overrides included), so `npm run plan` and policy
// `pins-supported` judge the same list. The dates live in modules/versions.ts beside their pins.
import { charts, eks, gke, images, nvidiaDriverBranches, rdsMysql, cloudSqlMysql, releases, type Support } from "../versions";

/** Days of support left under which the plan warns. */
export const SUPPORT_WARN_DAYS = 90;

/** One pin a stack uses, with its calendar (undefined: the table has no calendar for this value). */
export interface PinInUse {
  /** Where the pin lives in modules/versions.ts, e.g. `eks.kubernetesVersion`; allow-list entries name it. */
  readonly pin: string;
  /** The value the stack uses (a stack may override the table's). */
  readonly version: string;
  /** What it is, for people: "EKS Kubernetes", "Cloud SQL for MySQL". */
  readonly what: string;
  readonly support?: Support;
  /** Why no calendar applies, when `support` is undefined. */
  readonly unknown?: string;
}

/** A resource as the engine records it (inputs) or the policy pack sees it (props). */
export interface SupportResource {
  readonly type: string;
  readonly props: Record<string, unknown>;
}

const minorOf = (v: string) => v.replace(/^v/, "").split(".").slice(0, 2).join(".");

/** Where an image pin shows in a resource: its repository path (without the registry, which caches rewrite) and tag. */
const imageRef = (pin: { repository: string; tag: string }) => `${pin.repository.split("/").slice(1).join("/")}:${pin.tag}`;

/** Images whose release line carries the calendar: KFP by its API server, Argo by its controller. */
const IMAGE_LINES = [
  { pin: "releases.kfp", what: "Kubeflow Pipelines", version: releases.kfp.version, ref: imageRef(images.kfpApiServer), support: releases.kfp.support },
  { pin: "releases.argo", what: "Argo Workflows", version: releases.argo.version, ref: imageRef(images.argoWorkflowController), support: releases.argo.support },
  { pin: "images.mysql", what: "MySQL image (server in-cluster, client in Jobs)", version: images.mysql.tag, ref: imageRef(images.mysql), support: images.mysql.support },
  { pin: "images.minio", what: "MinIO image (in-cluster object store)", version: images.minio.tag, ref: imageRef(images.minio), support: images.minio.support },
];

/** Every string anywhere in a value. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === "object") for (const v of Object.values(value)) yield* strings(v);
}

/**
 * The pins the resources use, each once per distinct value, in a stable order. `gpuDrivers` are the
 * NVIDIA drivers the stack's GPU pools run (main()'s `gpuPools` output).
 */
export function pinsInUse(resources: readonly SupportResource[], gpuDrivers: readonly string[] = []): PinInUse[] {
  const found = new Map<string, PinInUse>();
  const add = (p: PinInUse) => found.set(`${p.pin}=${p.version}`, found.get(`${p.pin}=${p.version}`) ?? p);
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const eksMinor = (version: string, what: string, pin: string) =>
    add(minorOf(version) === eks.kubernetesVersion ? { pin, version, what, support: eks.support } : { pin, version, what, unknown: `not the table's EKS minor ${eks.kubernetesVersion}, whose calendar is the only one recorded` });

  for (const r of resources) {
    const p = r.props;
    if (r.type === "aws:eks/cluster:Cluster" && str(p.version)) eksMinor(str(p.version)!, "EKS Kubernetes", "eks.kubernetesVersion");
    else if (r.type === "aws:eks/nodeGroup:NodeGroup" && str(p.releaseVersion)) eksMinor(str(p.releaseVersion)!, "EKS AMI release (leaves with its Kubernetes minor)", "eks.amiRelease");
    else if (r.type === "gcp:container/cluster:Cluster" && str(p.minMasterVersion)) {
      const version = str(p.minMasterVersion)!;
      const channel = str((p.releaseChannel as { channel?: unknown } | undefined)?.channel)?.toLowerCase() ?? "unspecified";
      const support = minorOf(version) === minorOf(gke.version) ? (gke.support as Record<string, Support | undefined>)[channel] : undefined;
      add({ pin: "gke.version", version, what: `GKE (${channel} channel)`, support, unknown: support ? undefined : `no calendar recorded for this minor on the ${channel} channel` });
    } else if (r.type === "aws:rds/instance:Instance" && str(p.engine) === "mysql" && str(p.engineVersion)) {
      const version = str(p.engineVersion)!;
      const ours = minorOf(version) === rdsMysql.engineVersion;
      add({ pin: "rdsMysql.engineVersion", version, what: "RDS for MySQL", support: ours ? rdsMysql.support : undefined, unknown: ours ? undefined : `not the table's ${rdsMysql.engineVersion}` });
    } else if (r.type === "gcp:sql/databaseInstance:DatabaseInstance" && str(p.databaseVersion)) {
      const version = str(p.databaseVersion)!;
      const ours = version === cloudSqlMysql.databaseVersion;
      add({ pin: "cloudSqlMysql.databaseVersion", version, what: "Cloud SQL for MySQL", support: ours ? cloudSqlMysql.support : undefined, unknown: ours ? undefined : `not the table's ${cloudSqlMysql.databaseVersion}` });
    } else if (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") {
      const chart = str(p.chart);
      const entry = Object.entries(charts).find(([, c]) => c.chart === chart);
      if (entry && "support" in entry[1]) {
        const version = str(p.version) ?? "(unpinned)";
        const ours = version === entry[1].version;
        add({ pin: `charts.${entry[0]}`, version, what: `Helm chart ${chart}`, support: ours ? entry[1].support : undefined, unknown: ours ? undefined : `not the table's ${entry[1].version}` });
      }
    }
    for (const s of strings(p)) {
      for (const line of IMAGE_LINES) if (s.includes(line.ref)) add({ pin: line.pin, version: line.version, what: line.what, support: line.support });
    }
  }
  for (const driver of gpuDrivers) {
    const branch = driver.split(".")[0];
    const support = nvidiaDriverBranches[branch];
    add({ pin: `nvidiaDriverBranches.${branch}`, version: driver, what: `NVIDIA driver (branch R${branch})`, support, unknown: support ? undefined : `branch R${branch} has no row in nvidiaDriverBranches` });
  }
  return [...found.values()].sort((a, b) => a.pin.localeCompare(b.pin) || a.version.localeCompare(b.version));
}

/** The first day a `YYYY-MM-DD` or `YYYY-MM` end means, at 00:00 UTC; throws on anything else. */
export function endDate(ends: string): Date {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(ends);
  if (!m) throw new Error(`modules/versions.ts: support end "${ends}" is not YYYY-MM-DD or YYYY-MM; write the upstream's date in one of those forms`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1));
}

export type SupportState = "supported" | "ending" | "ended" | "undated" | "unknown";

/** How a pin stands on `today`: days left (negative once past), and the state the plan and policy act on. */
export function supportState(pin: PinInUse, today: Date): { state: SupportState; days?: number } {
  if (!pin.support) return { state: "unknown" };
  if (pin.support.ends === null) return { state: "undated" };
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const days = Math.round((endDate(pin.support.ends).getTime() - midnight) / 86_400_000);
  return { state: days <= 0 ? "ended" : days < SUPPORT_WARN_DAYS ? "ending" : "supported", days };
}

/** The day as `YYYY-MM-DD` (UTC). */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
