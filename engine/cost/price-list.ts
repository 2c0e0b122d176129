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
