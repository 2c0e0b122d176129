// What the clouds offer, asked of the dated tables in tables/ (`npm run facts -- refresh aws|gcp` rewrites
// them from the clouds' list commands): regions and their zones, EC2 instance types, RDS for MySQL classes,
// Compute Engine machine types. Each answer is undefined when the cloud offers the value, else the reason,
// with a near name when one is a typo away, and the refresh command for values newer than the table.
import { AWS_TABLES } from "./tables/aws";
import { GCP_TABLES } from "./tables/gcp";

const words = (s: string) => (s ? s.split(" ") : []);

/** A close name (small edit distance), as " (did you mean 'x'?)". */
function near(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = distance(word, c, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best ? ` (did you mean '${best}'?)` : "";
}

function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

const newer = (cloud: "aws" | "gcp", read: string) => `; if it is newer than the kit's table (read ${read}), run npm run facts -- refresh ${cloud}`;

const awsRegions = Object.keys(AWS_TABLES.regions);
export function awsRegionProblem(region: string): string | undefined {
  if (region in AWS_TABLES.regions) return undefined;
  return `is not an AWS region${near(region, awsRegions)}${newer("aws", AWS_TABLES.read)}`;
}

export function awsZoneProblem(zone: string, region: string): string | undefined {
  if (!zone.startsWith(region) || !/^[a-z]$/.test(zone.slice(region.length))) return `is not a zone of region ${region} (its zones are ${region}a, ${region}b, ...)`;
  const letters = words((AWS_TABLES.regions as Record<string, string>)[region] ?? "");
  if (letters.length === 0 || letters.includes(zone.slice(region.length))) return undefined;
  return `is not an availability zone of ${region}, which has ${letters.map((l) => region + l).join(", ")}${newer("aws", AWS_TABLES.read)}`;
}

const ec2Families = Object.keys(AWS_TABLES.ec2);
export function ec2TypeProblem(type: string): string | undefined {
  const [family, size] = [type.slice(0, type.indexOf(".")), type.slice(type.indexOf(".") + 1)];
  const sizes = (AWS_TABLES.ec2 as Record<string, string>)[family];
  if (!sizes) return `is not an EC2 instance type: no family ${family}${near(family, ec2Families)}${newer("aws", AWS_TABLES.read)}`;
  if (words(sizes).includes(size)) return undefined;
  return `is not an EC2 instance type: ${family} comes in ${words(sizes).join(", ")}${near(size, words(sizes))}`;
}

const rdsFamilies = Object.keys(AWS_TABLES.rdsMysql);
export function rdsClassProblem(instanceClass: string): string | undefined {
  const rest = instanceClass.slice(3);
  const [family, size] = [rest.slice(0, rest.indexOf(".")), rest.slice(rest.indexOf(".") + 1)];
  const sizes = (AWS_TABLES.rdsMysql as Record<string, string>)[family];
  if (!sizes) {
    return `is not an RDS for MySQL instance class: no family db.${family}${near(family, rdsFamilies)}; RDS for MySQL offers ${rdsFamilies.map((f) => `db.${f}`).join(", ")}${newer("aws", AWS_TABLES.read)}`;
  }
  if (words(sizes).includes(size)) return undefined;
  return `is not an RDS for MySQL instance class: db.${family} comes in ${words(sizes).join(", ")}${near(size, words(sizes))}`;
}

const gcpRegions = Object.keys(GCP_TABLES.regions);
export function gcpRegionProblem(region: string): string | undefined {
  if (region in GCP_TABLES.regions) return undefined;
  return `is not a Google Cloud region${near(region, gcpRegions)}${newer("gcp", GCP_TABLES.read)}`;
}

export function gcpZoneProblem(zone: string, region: string): string | undefined {
  if (!zone.startsWith(`${region}-`)) return `is not a zone of the cluster's region ${region}`;
  const suffixes = words((GCP_TABLES.regions as Record<string, string>)[region] ?? "");
  if (suffixes.length === 0 || suffixes.includes(zone.slice(region.length + 1))) return undefined;
  return `is not a zone of ${region}, which has ${suffixes.map((s) => `${region}-${s}`).join(", ")}${newer("gcp", GCP_TABLES.read)}`;
}

const gcePrefixes = Object.keys(GCP_TABLES.machineTypes);
/** Custom machine types (`n2-custom-8-32768`, `custom-4-16384`) follow their own rule and are not checked here. */
export function gceMachineTypeProblem(machineType: string): string | undefined {
  if (/(^|-)custom-\d+-\d+(-ext)?$/.test(machineType)) return undefined;
  // Series and kind, then the size (as the tables group them): n2-standard + 8, c4-standard + 288-lssd, e2 + micro.
  const [, prefix = machineType, last = ""] = /^([a-z0-9]+-[a-z0-9]+)-(.+)$/.exec(machineType) ?? /^([a-z0-9]+)-(.+)$/.exec(machineType) ?? [];
  const offered = (GCP_TABLES.machineTypes as Record<string, string>)[prefix];
  if (!offered) {
    const all = gcePrefixes.flatMap((p) => words((GCP_TABLES.machineTypes as Record<string, string>)[p]).map((s) => `${p}-${s}`));
    return `is not a Compute Engine machine type the kit knows${near(machineType, all)}${newer("gcp", GCP_TABLES.read)}`;
  }
  if (words(offered).includes(last)) return undefined;
  return `is not a Compute Engine machine type: ${prefix} comes in ${words(offered).map((s) => `${prefix}-${s}`).join(", ")}`;
}
