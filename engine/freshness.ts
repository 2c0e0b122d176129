// What the clouds offer now, against the pins: the scheduled freshness workflow asks AWS and Google and
// saves each answer as the CLI prints it (JSON); this module reads those answers and says which pin is no
// longer offered and where a newer AMI or driver exists. Shapes, from each API's documentation:
// - EKS DescribeAddonVersions (`aws eks describe-addon-versions --kubernetes-version <minor> --addon-name <name>`):
//   { addons: [{ addonName, addonVersions: [{ addonVersion, compatibilities: [{ clusterVersion, defaultVersion }] }] }] }
//   https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html (AddonInfo, AddonVersionInfo, Compatibility)
// - SSM GetParameter on the public EKS AMI parameter (`aws ssm get-parameter --name
//   /aws/service/eks/optimized-ami/<minor>/amazon-linux-2023/x86_64/<standard|nvidia>/recommended`):
//   { Parameter: { Name, Value } } where Value is JSON with image_id, image_name, release_version
//   https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-eks.html,
//   AMI types: https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html
// - GKE GetServerConfig (`gcloud container get-server-config --location <region> --format json`):
//   { channels: [{ channel, defaultVersion, validVersions }], validMasterVersions, validNodeVersions }
//   https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations/getServerConfig (ServerConfig, ReleaseChannelConfig)
// - RDS DescribeDBEngineVersions (`aws rds describe-db-engine-versions --engine mysql`):
//   { DBEngineVersions: [{ Engine, EngineVersion, DBParameterGroupFamily, Status }] }
//   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBEngineVersions.html (DBEngineVersion)
// - Cloud SQL flags.list (`gcloud sql flags list --format json`): [{ name, type, appliesTo: [MYSQL_8_0, ...] }]
//   https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/flags/list (Flag.appliesTo: the database versions
//   the flag applies to; the kit reads the union as the versions Cloud SQL offers flags for).
// The responses here are read as given; an answer missing a field the docs name is reported, not guessed.
import { compareVersions, eksDriverForRelease } from "../modules/facts/cuda";
import { cloudSqlMysql, eks, gke, rdsMysql } from "../modules/versions";

/** The answers the workflow saved, by question; an absent one was not asked (no credentials for it). */
export interface Offers {
  eksAddons?: Record<string, unknown>;
  amiRecommended?: Partial<Record<"standard" | "nvidia", unknown>>;
  gkeServerConfig?: unknown;
  rdsEngineVersions?: unknown;
  cloudSqlFlags?: unknown;
}

export interface Finding {
  /** The pin, by its path in modules/versions.ts. */
  pin: string;
  /** `gone`: the cloud no longer offers the pin; `newer`: a newer AMI or driver exists; `note`: worth knowing, opens nothing. */
  kind: "gone" | "newer" | "note";
  message: string;
}

/** The files the workflow writes, by question. */
export const ANSWER_FILES = {
  eksAddon: (addon: string) => `eks-addon-${addon}.json`,
  ami: (type: "standard" | "nvidia") => `ssm-ami-${type}.json`,
  gkeServerConfig: "gke-server-config.json",
  rdsEngineVersions: "rds-engine-versions.json",
  cloudSqlFlags: "cloudsql-flags.json",
};

/** Findings that open (or update) the freshness issue. */
export const opensIssue = (f: Finding) => f.kind !== "note";

type Any = any;
const list = (v: unknown): Any[] => (Array.isArray(v) ? v : []);

/** `{ "schema_version": ..., "release_version": "1.35.6-20260714" }` inside the parameter's Value. */
function amiRelease(answer: unknown): string | undefined {
  const value = (answer as Any)?.Parameter?.Value;
  if (typeof value !== "string") return undefined;
  try {
    const release = JSON.parse(value)?.release_version;
    return typeof release === "string" ? release : undefined;
  } catch {
    return undefined;
  }
}

const releaseDate = (release: string) => release.split("-").pop() ?? "";

export function freshnessFindings(offers: Offers): Finding[] {
  const findings: Finding[] = [];
  const minor = eks.kubernetesVersion;

  for (const [addon, pinned] of Object.entries(eks.addons)) {
    const answer = offers.eksAddons?.[addon];
    if (answer === undefined) continue;
    const info = list((answer as Any)?.addons).find((a) => a?.addonName === addon);
    const forMinor = list(info?.addonVersions).filter((v) => list(v?.compatibilities).some((c) => c?.clusterVersion === minor));
    const pin = `eks.addons.${addon}`;
    if (!forMinor.some((v) => v.addonVersion === pinned)) {
      findings.push({ pin, kind: "gone", message: `EKS no longer offers ${addon} ${pinned} for Kubernetes ${minor} (offered: ${forMinor.map((v) => v.addonVersion).join(", ") || "none"})` });
      continue;
    }
    const preferred = forMinor.find((v) => list(v.compatibilities).some((c) => c?.clusterVersion === minor && c?.defaultVersion === true))?.addonVersion;
    if (preferred && preferred !== pinned) findings.push({ pin, kind: "note", message: `EKS's default ${addon} for ${minor} is ${preferred}; the kit pins ${pinned}` });
  }

  for (const amiType of ["standard", "nvidia"] as const) {
    const answer = offers.amiRecommended?.[amiType];
    if (answer === undefined) continue;
    const latest = amiRelease(answer);
    if (!latest) {
      findings.push({ pin: "eks.amiRelease", kind: "note", message: `the ${amiType} AMI parameter's answer has no Parameter.Value with a release_version` });
      continue;
    }
    if (releaseDate(latest) <= releaseDate(eks.amiRelease.version)) continue;
    const driver = amiType === "nvidia" ? eksDriverForRelease(latest) : undefined;
    const driverNote =
      amiType !== "nvidia"
        ? ""
        : driver
          ? `; its NVIDIA driver is ${driver} (modules/facts/eks-nvidia-amis.ts): GPU nodes roll to it when the pin moves`
          : "; its NVIDIA driver is not in modules/facts/eks-nvidia-amis.ts yet: add the release's row from the amazon-eks-ami CHANGELOG before moving the pin";
    findings.push({ pin: "eks.amiRelease", kind: "newer", message: `EKS recommends AL2023 ${amiType} AMI release ${latest} for Kubernetes ${minor}; the kit pins ${eks.amiRelease.version}${driverNote}` });
  }

  if (offers.gkeServerConfig !== undefined) {
    const channels = list((offers.gkeServerConfig as Any)?.channels);
    for (const name of gke.channels) {
      const channel = channels.find((c) => String(c?.channel).toLowerCase() === name);
      const valid = list(channel?.validVersions).map(String);
      if (!valid.includes(gke.version)) {
        findings.push({ pin: "gke.version", kind: "gone", message: `GKE's ${name.toUpperCase()} channel no longer offers ${gke.version} (offered in 1.${gke.version.split(".")[1]}: ${valid.filter((v) => v.startsWith(gke.version.split(".").slice(0, 2).join(".") + ".")).join(", ") || "none"})` });
      } else if (channel?.defaultVersion && channel.defaultVersion !== gke.version) {
        findings.push({ pin: "gke.version", kind: "note", message: `GKE's ${name.toUpperCase()} default for new clusters is ${channel.defaultVersion}; the kit pins ${gke.version}` });
      }
    }
  }

  if (offers.rdsEngineVersions !== undefined) {
    const offered = list((offers.rdsEngineVersions as Any)?.DBEngineVersions).filter((v) => v?.Engine === "mysql" && (v?.Status ?? "available") === "available");
    const ours = offered.map((v) => String(v.EngineVersion)).filter((v) => v.startsWith(`${rdsMysql.engineVersion}.`)).sort(compareVersions);
    if (ours.length === 0) findings.push({ pin: "rdsMysql.engineVersion", kind: "gone", message: `RDS offers no available MySQL ${rdsMysql.engineVersion}.x engine version any more` });
    else findings.push({ pin: "rdsMysql.engineVersion", kind: "note", message: `RDS offers MySQL ${ours.join(", ")}; minor versions arrive in the maintenance window` });
  }

  if (offers.cloudSqlFlags !== undefined) {
    const flags = list(offers.cloudSqlFlags);
    const versions = new Set(flags.flatMap((f) => list(f?.appliesTo).map(String)));
    if (!versions.has(cloudSqlMysql.databaseVersion)) {
      findings.push({ pin: "cloudSqlMysql.databaseVersion", kind: "gone", message: `Cloud SQL lists no flags for ${cloudSqlMysql.databaseVersion} any more, so it no longer offers it (offered: ${[...versions].filter((v) => v.startsWith("MYSQL_")).sort().join(", ")})` });
    }
    // The check that holds Cloud SQL at 8.0 (modules/versions.ts cloudSqlMysql.why): can 8.4 enable mysql_native_password?
    // The flag's name on Cloud SQL is not verified here; both spellings MySQL uses are looked for.
    const pinned: string = cloudSqlMysql.databaseVersion;
    const nativePassword = flags.find((f) => ["mysql_native_password", "mysql-native-password"].includes(f?.name));
    if (nativePassword && list(nativePassword.appliesTo).includes("MYSQL_8_4") && pinned !== "MYSQL_8_4") {
      findings.push({ pin: "cloudSqlMysql.databaseVersion", kind: "newer", message: `Cloud SQL's MYSQL_8_4 offers flag ${nativePassword.name}, which ML Metadata 1.14.0 needs: the move off ${cloudSqlMysql.databaseVersion} (past standard support) can be tried` });
    }
  }
  return findings;
}

/** The issue body: one marker line the workflow finds the issue by, then the findings by kind. */
export const FRESHNESS_MARKER = "<!-- kfp-platform:freshness -->";

export function freshnessReport(findings: Finding[], asked: string[], notAsked: string[]): string {
  const section = (title: string, kind: Finding["kind"]) => {
    const of = findings.filter((f) => f.kind === kind);
    return of.length === 0 ? [] : [`### ${title}`, "", ...of.map((f) => `- \`${f.pin}\`: ${f.message}`), ""];
  };
  return [
    FRESHNESS_MARKER,
    "What AWS and Google offer now, against the pins in `modules/versions.ts` (docs/pin-updates.md says how a pin moves).",
    "",
    ...section("No longer offered", "gone"),
    ...section("Newer releases", "newer"),
    ...section("Notes", "note"),
    `Asked: ${asked.join(", ") || "nothing"}.${notAsked.length > 0 ? ` Not asked (no credentials configured): ${notAsked.join(", ")}.` : ""}`,
  ].join("\n");
}
