// The dated cloud tables of modules/facts/tables/: parsed from the clouds' own list commands (their JSON
// output as the AWS CLI and gcloud document it) and written back as TypeScript. `npm run facts -- refresh
// aws|gcp` (engine/cli/facts.ts) runs the commands; the parsers and the writer are here so tests drive them
// on recorded output.

export interface AwsTables {
  read: string;
  sources: Record<string, string>;
  /** Region -> its availability zone letters ("" when not recorded: zones of that region go unchecked). */
  regions: Record<string, string>;
  /** EC2 instance family -> its sizes, space-separated. */
  ec2: Record<string, string>;
  /** RDS for MySQL instance class family (without `db.`) -> its sizes. */
  rdsMysql: Record<string, string>;
}

export interface GcpTables {
  read: string;
  sources: Record<string, string>;
  /** Region -> its zone suffixes ("a b c"). */
  regions: Record<string, string>;
  /** Machine type series and kind (`n2-standard`; `e2` for shared-core) -> the sizes offered ("2 4 8 ...", "288-lssd"). */
  machineTypes: Record<string, string>;
}

export const AWS_COMMANDS = {
  regions: "aws ec2 describe-regions --all-regions --output json",
  zones: "aws ec2 describe-availability-zones --all-availability-zones --filters Name=zone-type,Values=availability-zone --region <region> --output json",
  ec2: "aws ec2 describe-instance-types --output json (paginated by the CLI)",
  rdsMysql: "aws rds describe-orderable-db-instance-options --engine mysql --output json (kept to modules/versions.ts rdsMysql.engineVersion)",
} as const;

export const GCP_COMMANDS = {
  regions: "gcloud compute zones list --format=json",
  machineTypes: "gcloud compute machine-types list --format=json",
} as const;

const SIZE_ORDER = ["nano", "micro", "small", "medium", "large", "xlarge"];
function sizeKey(size: string): number {
  const named = SIZE_ORDER.indexOf(size);
  if (named >= 0) return named;
  const n = /^(\d+)(xlarge|g)?(.*)$/.exec(size);
  return n ? 10 + Number(n[1]) + (n[3] ? 0.5 : 0) : 100_000 + size.length;
}
const bySize = (a: string, b: string) => sizeKey(a) - sizeKey(b) || a.localeCompare(b);

/** Groups names at a separator: `m6i.large` -> m6i: large; `n2-standard-8` -> n2-standard: 8. */
export function groupNames(names: Iterable<string>, split: (name: string) => [string, string] | undefined): Record<string, string> {
  const groups = new Map<string, Set<string>>();
  for (const name of names) {
    const parts = split(name);
    if (!parts) continue;
    if (!groups.has(parts[0])) groups.set(parts[0], new Set());
    groups.get(parts[0])!.add(parts[1]);
  }
  return Object.fromEntries([...groups.keys()].sort().map((k) => [k, [...groups.get(k)!].sort(bySize).join(" ")]));
}

export const splitEc2 = (name: string): [string, string] | undefined => {
  const i = name.indexOf(".");
  return i > 0 ? [name.slice(0, i), name.slice(i + 1)] : undefined;
};
export const splitRds = (name: string): [string, string] | undefined => (name.startsWith("db.") ? splitEc2(name.slice(3)) : undefined);
/** `n2-standard-8` -> n2-standard: 8; `c4-standard-288-lssd-metal` -> c4-standard: 288-lssd-metal; `e2-micro` -> e2: micro. */
export const splitGce = (name: string): [string, string] | undefined => {
  const m = /^([a-z0-9]+-[a-z0-9]+)-(.+)$/.exec(name) ?? /^([a-z0-9]+)-(.+)$/.exec(name);
  return m ? [m[1], m[2]] : undefined;
};

function json(text: string, what: string): any {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what}: expected the command's JSON output`);
  }
}

/** `aws ec2 describe-regions --output json`: {"Regions": [{"RegionName": ...}]}. */
export function parseAwsRegions(text: string): string[] {
  return (json(text, "describe-regions").Regions ?? []).map((r: { RegionName: string }) => r.RegionName).sort();
}

/** `aws ec2 describe-availability-zones --output json`: {"AvailabilityZones": [{"ZoneName", "RegionName", "ZoneType"}]} -> zone letters. */
export function parseAwsZones(text: string): Record<string, string> {
  const zones: Record<string, string[]> = {};
  for (const z of json(text, "describe-availability-zones").AvailabilityZones ?? []) {
    if (z.ZoneType && z.ZoneType !== "availability-zone") continue;
    if (!z.ZoneName.startsWith(z.RegionName)) continue;
    (zones[z.RegionName] ??= []).push(z.ZoneName.slice(z.RegionName.length));
  }
  return Object.fromEntries(Object.entries(zones).map(([r, l]) => [r, l.sort().join(" ")]));
}

/** `aws ec2 describe-instance-types --output json`: {"InstanceTypes": [{"InstanceType": "m6i.large", ...}]}. */
export function parseEc2Types(text: string): Record<string, string> {
  return groupNames((json(text, "describe-instance-types").InstanceTypes ?? []).map((t: { InstanceType: string }) => t.InstanceType), splitEc2);
}

/**
 * `aws rds describe-orderable-db-instance-options --engine mysql --output json`:
 * {"OrderableDBInstanceOptions": [{"Engine", "EngineVersion", "DBInstanceClass", ...}]}, kept to the
 * engine versions under `versionPrefix` (the kit's major, e.g. "8.4").
 */
export function parseRdsClasses(text: string, versionPrefix: string): Record<string, string> {
  const options: { EngineVersion: string; DBInstanceClass: string }[] = json(text, "describe-orderable-db-instance-options").OrderableDBInstanceOptions ?? [];
  return groupNames(options.filter((o) => o.EngineVersion === versionPrefix || o.EngineVersion.startsWith(`${versionPrefix}.`)).map((o) => o.DBInstanceClass), splitRds);
}

const lastSegment = (url: string) => url.slice(url.lastIndexOf("/") + 1);

/** `gcloud compute zones list --format=json`: [{"name": "europe-west4-a", "region": ".../regions/europe-west4"}]. */
export function parseGcpZones(text: string): Record<string, string> {
  const zones: Record<string, string[]> = {};
  for (const z of json(text, "gcloud compute zones list")) {
    const region = lastSegment(z.region);
    if (!z.name.startsWith(`${region}-`)) continue;
    (zones[region] ??= []).push(z.name.slice(region.length + 1));
  }
  return Object.fromEntries(Object.keys(zones).sort().map((r) => [r, zones[r].sort().join(" ")]));
}

/** `gcloud compute machine-types list --format=json`: [{"name": "n2-standard-8", "zone": "europe-west4-a", ...}], one per zone. */
export function parseGceMachineTypes(text: string): Record<string, string> {
  return groupNames(json(text, "gcloud compute machine-types list").map((m: { name: string }) => m.name), splitGce);
}

const entries = (table: Record<string, string>) =>
  Object.entries(table)
    .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
    .join("\n");

const HEADER = (cloud: string) =>
  `// GENERATED by \`npm run facts -- refresh ${cloud}\` (engine/facts-tables.ts): refresh rather than edit. What the\n` +
  `// cloud offered when \`read\`, from \`sources\`; the rules over it are in modules/facts/offerings.ts.\n`;

export function renderAwsTables(t: AwsTables): string {
  return `${HEADER("aws")}export const AWS_TABLES = {
  read: ${JSON.stringify(t.read)},
  sources: {
${entries(t.sources)}
  },
  regions: {
${entries(t.regions)}
  },
  ec2: {
${entries(t.ec2)}
  },
  rdsMysql: {
${entries(t.rdsMysql)}
  },
} as const satisfies { read: string; sources: Record<string, string>; regions: Record<string, string>; ec2: Record<string, string>; rdsMysql: Record<string, string> };
`;
}

export function renderGcpTables(t: GcpTables): string {
  return `${HEADER("gcp")}export const GCP_TABLES = {
  read: ${JSON.stringify(t.read)},
  sources: {
${entries(t.sources)}
  },
  regions: {
${entries(t.regions)}
  },
  machineTypes: {
${entries(t.machineTypes)}
  },
} as const satisfies { read: string; sources: Record<string, string>; regions: Record<string, string>; machineTypes: Record<string, string> };
`;
}
