// npm run prices -- [stack...]
// Refreshes engine/cost/prices.json for what the stacks bill: EC2 instance types, NAT gateways and RDS
// classes from the AWS Price List Query API (the aws CLI, when `aws sts get-caller-identity` works), and
// the GKE cluster fee and Compute Engine machine types (composed from their vCPU, memory and GPU SKUs) from
// the Cloud Billing Catalog API (when GOOGLE_API_KEY is set). Without
// credentials it says what it skipped and leaves the table as it is. Each entry records its source and date.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { costItems, itemKeys, loadPrices, PRICE_FILE, type PriceTable } from "../cost/estimate";
import { gceMachineHourly, googleSkuPrices, singleHourlyPrice, type AwsGetProductsResponse, type GoogleSku } from "../cost/price-list";
import { planStack } from "../plan";
import { listStacks } from "../stack-file";

const root = resolve(__dirname, "../..");
const today = () => new Date().toISOString().slice(0, 10);

function aws(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync("aws", args, { encoding: "utf8" });
  return { ok: r.status === 0, out: r.status === 0 ? r.stdout : r.stderr };
}

/** GetProducts filters per price key (the Price List attribute names for EC2 and RDS). */
function awsQuery(key: string): { service: string; filters: Record<string, string> } | undefined {
  const [, kind, region, a, b] = key.split(":");
  if (kind === "ec2") return { service: "AmazonEC2", filters: { regionCode: region, instanceType: a, operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used" } };
  if (kind === "natgw") return { service: "AmazonEC2", filters: { regionCode: region, productFamily: "NAT Gateway", group: "NGW:NatGateway" } };
  if (kind === "rds") return { service: "AmazonRDS", filters: { regionCode: region, instanceType: a, databaseEngine: "MySQL", deploymentOption: b === "multi-az" ? "Multi-AZ" : "Single-AZ" } };
  return undefined;
}

function refreshAws(keys: string[], table: PriceTable): void {
  if (!aws(["sts", "get-caller-identity"]).ok) {
    console.log("prices: no AWS credentials (aws sts get-caller-identity failed): AWS prices not refreshed");
    return;
  }
  for (const key of keys) {
    const q = awsQuery(key);
    if (!q) continue;
    const filters = Object.entries(q.filters).map(([f, v]) => `Type=TERM_MATCH,Field=${f},Value=${v}`);
    // The Price List Query API is served from us-east-1 whatever the priced region.
    const r = aws(["pricing", "get-products", "--region", "us-east-1", "--service-code", q.service, "--filters", ...filters, "--output", "json"]);
    if (!r.ok) {
      console.log(`prices: ${key}: ${r.out.trim()}`);
      continue;
    }
    try {
      const usdPerHour = singleHourlyPrice(JSON.parse(r.out) as AwsGetProductsResponse, key);
      table.prices[key] = { usdPerHour, source: `AWS Price List Query API GetProducts ${q.service} ${JSON.stringify(q.filters)}`, read: today() };
      console.log(`prices: ${key} = $${usdPerHour}/h`);
    } catch (e) {
      console.log(`prices: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

async function refreshGoogle(keys: string[], table: PriceTable): Promise<void> {
  const apiKey = process.env.GOOGLE_API_KEY;
  if (!apiKey) {
    console.log("prices: GOOGLE_API_KEY unset: Google prices not refreshed");
    return;
  }
  const get = async (url: string) => (await fetch(`${url}${url.includes("?") ? "&" : "?"}key=${apiKey}`)).json() as Promise<any>;
  const services = (await get("https://cloudbilling.googleapis.com/v1/services")).services as { serviceId: string; displayName: string }[];
  const skusOf = async (displayName: string): Promise<GoogleSku[]> => {
    const service = services.find((s) => s.displayName === displayName);
    if (!service) throw new Error(`no ${displayName} service in the catalog`);
    const skus: GoogleSku[] = [];
    for (let page = "", first = true; first || page; first = false) {
      const body = await get(`https://cloudbilling.googleapis.com/v1/services/${service.serviceId}/skus${page ? `?pageToken=${page}` : ""}`);
      skus.push(...(body.skus ?? []));
      page = body.nextPageToken ?? "";
    }
    return skus;
  };
  const fee = [...googleSkuPrices(await skusOf("Kubernetes Engine"), "global")].find(([d]) => /cluster management fee/i.test(d) && !/autopilot|extended/i.test(d));
  if (fee) {
    table.prices["gcp:gke:cluster"] = { usdPerHour: fee[1].usd, source: `Cloud Billing Catalog API, Kubernetes Engine SKU "${fee[0]}" (${fee[1].unit})`, read: today() };
    console.log(`prices: gcp:gke:cluster = $${fee[1].usd}/h`);
  } else console.log("prices: no GKE cluster management fee SKU found");
  const machines = keys.filter((k) => k.startsWith("gcp:gce:"));
  const compute = machines.length > 0 ? await skusOf("Compute Engine") : [];
  for (const key of machines) {
    const [, , region, machineType] = key.split(":");
    try {
      const usdPerHour = Math.round(gceMachineHourly(compute, region, machineType) * 1e9) / 1e9;
      table.prices[key] = { usdPerHour, source: `Cloud Billing Catalog API, Compute Engine SKUs for ${machineType}: vCPUs, memory and GPUs (engine/cost/price-list.ts gceMachineHourly)`, read: today() };
      console.log(`prices: ${key} = $${usdPerHour}/h`);
    } catch (e) {
      console.log(`prices: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const key of keys.filter((k) => k.startsWith("gcp:sql:"))) console.log(`prices: ${key}: Cloud SQL SKUs are not read by this command yet; enter it from cloud.google.com/sql/pricing with its source`);
}

async function run(argv: string[]): Promise<number> {
  const stacks = argv.length > 0 ? argv : listStacks(root);
  const keys = new Set<string>();
  for (const stack of stacks) {
    const plan = await planStack(stack, { root, outDir: null, policyConfig: false });
    for (const item of costItems(plan.resources)) itemKeys(item).forEach((k) => keys.add(k));
  }
  const table = loadPrices();
  refreshAws([...keys].filter((k) => k.startsWith("aws:")), table);
  await refreshGoogle([...keys].filter((k) => k.startsWith("gcp:")), table);
  writeFileSync(PRICE_FILE, `${JSON.stringify(table, null, 1)}\n`);
  const missing = [...keys].filter((k) => !table.prices[k]);
  console.log(`prices: ${keys.size - missing.length} of ${keys.size} price keys known${missing.length ? `; missing: ${missing.join(", ")}` : ""}`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`prices: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
