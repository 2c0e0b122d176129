// Parsers for the two price APIs `npm run prices` reads, shaped as their documentation describes:
// - AWS Price List Query API GetProducts (`aws pricing get-products`): `{ FormatVersion: "aws_v1",
//   PriceList: [<JSON string>...], NextToken }`, each string a product with `product.attributes` and
//   `terms.OnDemand.<offer>.priceDimensions.<rate>.{unit, pricePerUnit: {USD}}` (docs.aws.amazon.com
//   awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html; read 2026-12-07).
// - Cloud Billing Catalog API services.skus.list: `{ skus: [{ description, category, serviceRegions,
//   pricingInfo: [{ pricingExpression: { usageUnit, tieredRates: [{ startUsageAmount, unitPrice:
//   { currencyCode, units, nanos } }] } }] }], nextPageToken }` (cloud.google.com/billing/v1/how-tos/
//   catalog-api; read 2026-12-07).

export interface AwsGetProductsResponse {
  FormatVersion?: string;
  PriceList: string[];
  NextToken?: string;
}

/** The on-demand hourly USD prices in a GetProducts response, one per product (SKU). */
export function awsOnDemandHourly(response: AwsGetProductsResponse): { sku: string; attributes: Record<string, string>; usdPerHour: number }[] {
  const out: { sku: string; attributes: Record<string, string>; usdPerHour: number }[] = [];
  for (const raw of response.PriceList) {
    const item = JSON.parse(raw) as { product: { sku: string; attributes: Record<string, string> }; terms?: { OnDemand?: Record<string, { priceDimensions: Record<string, { unit: string; pricePerUnit: { USD?: string } }> }> } };
    for (const offer of Object.values(item.terms?.OnDemand ?? {})) {
      for (const dim of Object.values(offer.priceDimensions)) {
        if (dim.unit !== "Hrs" || dim.pricePerUnit.USD === undefined) continue;
        out.push({ sku: item.product.sku, attributes: item.product.attributes, usdPerHour: Number(dim.pricePerUnit.USD) });
      }
    }
  }
  return out;
}

/** The one hourly price a filtered GetProducts query should yield; an error when it is ambiguous or empty. */
export function singleHourlyPrice(response: AwsGetProductsResponse, what: string): number {
  const prices = [...new Set(awsOnDemandHourly(response).map((p) => p.usdPerHour).filter((p) => p > 0))];
  if (prices.length !== 1) throw new Error(`${what}: expected one on-demand hourly price, found ${prices.length ? prices.join(", ") : "none"}; narrow the filters`);
  return prices[0];
}

export interface GoogleSku {
  skuId?: string;
  description: string;
  category?: { resourceFamily?: string; resourceGroup?: string; usageType?: string };
  serviceRegions?: string[];
  pricingInfo: { pricingExpression: { usageUnit: string; tieredRates: { startUsageAmount: number; unitPrice: { currencyCode: string; units: string | number; nanos?: number } }[] } }[];
}

/** A Money value (units plus nanos) as a number. */
export const money = (m: { units: string | number; nanos?: number }) => Number(m.units) + (m.nanos ?? 0) / 1e9;

/** On-demand SKU prices available in `region`: the first paid tier of the latest pricing info, per description. */
export function googleSkuPrices(skus: readonly GoogleSku[], region: string): Map<string, { usd: number; unit: string }> {
  const out = new Map<string, { usd: number; unit: string }>();
  for (const sku of skus) {
    if (sku.category?.usageType !== undefined && sku.category.usageType !== "OnDemand") continue;
    if (sku.serviceRegions && !sku.serviceRegions.includes(region) && !sku.serviceRegions.includes("global")) continue;
    const info = sku.pricingInfo.at(-1);
    const tier = info?.pricingExpression.tieredRates.find((t) => money(t.unitPrice) > 0) ?? info?.pricingExpression.tieredRates[0];
    if (!info || !tier) continue;
    out.set(sku.description, { usd: money(tier.unitPrice), unit: info.pricingExpression.usageUnit });
  }
  return out;
}

/**
 * A Compute Engine machine type's shape: vCPUs, GiB of memory and fixed GPUs, for the predefined types whose
 * shape follows from the name (Compute Engine docs, machine families: `<e2|n2|n2d|c3|g2>-standard-N` is N
 * vCPUs with 4 GiB each; `a2-highgpu-Kg` is K A100 40GB with 12 vCPUs and 85 GiB each). Other types: undefined.
 */
export function gceShape(machineType: string): { family: string; vcpus: number; ramGiB: number; gpu?: { sku: string; count: number } } | undefined {
  const standard = /^(e2|n2|n2d|c3|g2)-standard-(\d+)$/.exec(machineType);
  if (standard) {
    const vcpus = Number(standard[2]);
    // G2 carries one L4 up to 32 vCPUs, then 2, 4, 8 (FIXED_GPU_MACHINES in modules/facts/gce-machine-types.ts).
    const l4 = standard[1] === "g2" ? ({ 24: 2, 48: 4, 96: 8 } as Record<number, number>)[vcpus] ?? 1 : 0;
    return { family: standard[1].toUpperCase(), vcpus, ramGiB: 4 * vcpus, ...(l4 ? { gpu: { sku: "Nvidia L4 GPU running", count: l4 } } : {}) };
  }
  const a2 = /^a2-highgpu-(\d+)g$/.exec(machineType);
  if (a2) {
    const gpus = Number(a2[1]);
    return { family: "A2", vcpus: 12 * gpus, ramGiB: 85 * gpus, gpu: { sku: "Nvidia Tesla A100 GPU running", count: gpus } };
  }
  return undefined;
}

/**
 * A machine type's on-demand hourly price in `region` from Compute Engine SKUs: vCPUs times the family's
 * core SKU, GiB times its RAM SKU, plus its GPUs. SKUs are matched as Cyclenerd/google-cloud-pricing-cost-
 * calculator's build/mapping.csv maps them (resource group CPU/RAM with description `<FAMILY> Instance%`,
 * group GPU with `Nvidia L4 GPU running%` and so on). Throws when a SKU is missing or ambiguous.
 */
export function gceMachineHourly(skus: readonly GoogleSku[], region: string, machineType: string): number {
  const shape = gceShape(machineType);
  if (!shape) throw new Error(`${machineType}: shape not known from its name; add it to gceShape`);
  const inRegion = skus.filter((s) => (s.category?.usageType ?? "OnDemand") === "OnDemand" && (s.serviceRegions ?? []).includes(region));
  const price = (group: string, prefix: string): number => {
    const found = [...googleSkuPrices(inRegion.filter((s) => s.category?.resourceGroup === group && s.description.startsWith(prefix)), region).values()];
    const distinct = [...new Set(found.map((f) => f.usd))];
    if (distinct.length !== 1) throw new Error(`${machineType} in ${region}: expected one ${group} SKU "${prefix}…", found ${distinct.length}`);
    return distinct[0];
  };
  const core = price("CPU", `${shape.family} Instance Core`);
  const ram = price("RAM", `${shape.family} Instance Ram`);
  const gpu = shape.gpu ? shape.gpu.count * price("GPU", shape.gpu.sku) : 0;
  return shape.vcpus * core + shape.ramGiB * ram + gpu;
}
