// An estimated monthly bill for a plan, at the node groups' minimum and maximum sizes, from the dated
// price table engine/cost/prices.json (on-demand list prices; no discounts, no traffic, no storage).
// What the table has no price for is named, never guessed: `npm run prices` fills it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource } from "../harness";

export interface PriceEntry {
  usdPerHour: number;
  source: string;
  /** When the kit read the source. */
  read: string;
  /**
   * When the source's prices were generated, where that is older than `read`: the date a reviewer should see;
   * "undated" where the source carries no date (the summary says so).
   */
  asOf?: string;
}
export interface PriceTable {
  comment: string;
  hoursPerMonth: number;
  prices: Record<string, PriceEntry>;
}

export const PRICE_FILE = join(__dirname, "prices.json");
export const loadPrices = (): PriceTable => JSON.parse(readFileSync(PRICE_FILE, "utf8"));

/** A priced quantity: `quantity` units of the price entry `key` per hour of the item. */
export interface PricePart {
  key: string;
  quantity: number;
}

/** One billed thing: how many run at the minimum and at the maximum, and how an hour of it is priced. */
export interface CostItem {
  what: string;
  min: number;
  max: number;
  /**
   * Alternative prices, each a sum of parts (a node group may launch any of its instance types; a Cloud SQL
   * instance is its vCPUs plus its memory): the cheapest counts at min, the dearest at max.
   */
  options: PricePart[][];
}

/** Every price key an item needs. */
export const itemKeys = (item: CostItem): string[] => [...new Set(item.options.flat().map((p) => p.key))];
const one = (key: string): PricePart[][] => [[{ key, quantity: 1 }]];

type Inputs = Record<string, any>;

/** The billed items of a plan. The region comes from the provider the resource uses. */
export function costItems(resources: readonly RecordedResource[]): CostItem[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const region = (r: RecordedResource): string => {
    const provider = r.provider ? byUrn.get(r.provider) : undefined;
    return String((provider?.inputs as Inputs | undefined)?.region ?? (r.inputs as Inputs).region ?? (r.inputs as Inputs).location ?? "unknown");
  };
  const items: CostItem[] = [];
  for (const r of resources) {
    const i = r.inputs as Inputs;
    const at = region(r);
    switch (r.type) {
      case "aws:eks/cluster:Cluster":
        items.push({ what: `EKS control plane ${i.name ?? r.name}`, min: 1, max: 1, options: one("aws:eks:cluster") });
        break;
      case "aws:eks/nodeGroup:NodeGroup": {
        const s = (i.scalingConfig ?? {}) as Inputs;
        items.push({ what: `node group ${i.nodeGroupName ?? r.name} (${(i.instanceTypes ?? []).join("|")}, ${s.minSize}-${s.maxSize} nodes)`, min: s.minSize ?? 0, max: s.maxSize ?? 0, options: (i.instanceTypes ?? []).map((t: string) => one(`aws:ec2:${at}:${t}`)[0]) });
        break;
      }
      case "aws:ec2/natGateway:NatGateway":
        items.push({ what: `NAT gateway ${r.name}`, min: 1, max: 1, options: one(`aws:natgw:${at}`) });
        break;
      case "aws:rds/instance:Instance":
        items.push({ what: `RDS ${i.identifier ?? r.name} (${i.instanceClass}${i.multiAz ? ", Multi-AZ" : ""})`, min: 1, max: 1, options: one(`aws:rds:${at}:${i.instanceClass}:${i.multiAz ? "multi-az" : "single-az"}`) });
        break;
      case "gcp:container/cluster:Cluster":
        items.push({ what: `GKE cluster management ${i.name ?? r.name}${i.releaseChannel?.channel === "EXTENDED" ? " (plus the extended-support fee once the minor is in extended support, not priced)" : ""}`, min: 1, max: 1, options: one("gcp:gke:cluster") });
        break;
      case "gcp:container/nodePool:NodePool": {
        const a = (i.autoscaling ?? {}) as Inputs;
        const min = a.totalMinNodeCount ?? a.minNodeCount ?? i.nodeCount ?? i.initialNodeCount ?? 0;
        const max = a.totalMaxNodeCount ?? a.maxNodeCount ?? min;
        items.push({ what: `node pool ${i.name ?? r.name} (${i.nodeConfig?.machineType}, ${min}-${max} nodes)`, min, max, options: one(`gcp:gce:${at}:${i.nodeConfig?.machineType}`) });
        break;
      }
      case "gcp:sql/databaseInstance:DatabaseInstance": {
        const tier = String(i.settings?.tier ?? "unknown");
        const availability = i.settings?.availabilityType === "REGIONAL" ? "regional" : "zonal";
        items.push({ what: `Cloud SQL ${i.name ?? r.name} (${tier}, ${availability})`, min: 1, max: 1, options: cloudSqlParts(String(i.region ?? at), tier, availability) });
        break;
      }
      default:
    }
  }
  return items;
}

/**
 * Cloud SQL (Enterprise edition) bills a custom tier `db-custom-<vCPUs>-<MiB>` per vCPU-hour and per GiB-hour,
 * a regional (high-availability) instance at the regional rates (cloud.google.com/sql/pricing). Shared-core
 * and other predefined tiers have their own SKUs: keyed by tier.
 */
export function cloudSqlParts(region: string, tier: string, availability: "regional" | "zonal"): PricePart[][] {
  const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  if (!custom) return one(`gcp:sql:${region}:${tier}:${availability}`);
  return [[
    { key: `gcp:sql:${region}:vcpu:${availability}`, quantity: Number(custom[1]) },
    { key: `gcp:sql:${region}:ram-gib:${availability}`, quantity: Number(custom[2]) / 1024 },
  ]];
}

export interface CostEstimate {
  /** USD per month at minimum and maximum sizes, over the priced items. */
  min: number;
  max: number;
  priced: { item: CostItem; min: number; max: number }[];
  unpriced: CostItem[];
  /** The price entries used, for citing. */
  used: Map<string, PriceEntry>;
}

export function estimate(resources: readonly RecordedResource[], table: PriceTable = loadPrices()): CostEstimate {
  const result: CostEstimate = { min: 0, max: 0, priced: [], unpriced: [], used: new Map() };
  for (const item of costItems(resources)) {
    const keys = itemKeys(item);
    if (keys.length === 0 || keys.some((k) => !table.prices[k])) {
      result.unpriced.push(item);
      continue;
    }
    keys.forEach((k) => result.used.set(k, table.prices[k]));
    const rates = item.options.map((parts) => parts.reduce((sum, p) => sum + p.quantity * table.prices[p.key].usdPerHour, 0));
    const min = item.min * Math.min(...rates) * table.hoursPerMonth;
    const max = item.max * Math.max(...rates) * table.hoursPerMonth;
    result.priced.push({ item, min, max });
    result.min += min;
    result.max += max;
  }
  return result;
}

const usd = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

/** The summary's cost lines: the range, what it covers, what it leaves out, and where the prices come from. */
export function costLines(resources: readonly RecordedResource[], verbose: boolean, table: PriceTable = loadPrices()): string[] {
  const e = estimate(resources, table);
  if (e.priced.length + e.unpriced.length === 0) return [];
  const lines = [
    `  cost: ${usd(e.min)}–${usd(e.max)} per month at minimum–maximum node counts (on-demand list prices, ${table.hoursPerMonth} h/month; ${e.priced.length} of ${e.priced.length + e.unpriced.length} billed items priced)${e.unpriced.length > 0 ? `: a lower bound, not an estimate, until the rest are priced` : ""}`,
  ];
  if (verbose) for (const p of e.priced) lines.push(`    ${usd(p.min)}–${usd(p.max)}  ${p.item.what}`);
  if (e.unpriced.length > 0) {
    lines.push(`    not in the price table (so not in the range): ${e.unpriced.map((u) => u.what).join("; ")}; npm run prices adds them (needs cloud credentials)`);
  }
  const dates = [...new Set([...e.used.values()].map((p) => p.asOf ?? p.read))].sort();
  const dated = dates.filter((d) => d !== "undated");
  const undated = [...e.used.values()].filter((p) => p.asOf === "undated").length;
  if (dates.length > 0) lines.push(`    prices: engine/cost/prices.json, as of ${dated.join(", ")}${undated > 0 ? ` (${undated} from an undated source${verbose ? "" : ": --verbose cites them"})` : ""}${verbose ? `: ${[...e.used].map(([k, p]) => `${k} ${p.source}`).join("; ")}` : ""}`);
  return lines;
}
