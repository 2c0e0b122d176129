// IPv4 subnetting for the VPC the kit creates (what Terraform's cidrsubnet does).

function toNumber(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The `index`-th subnet of `base` with `newBits` more prefix bits: cidrSubnet("10.0.0.0/16", 3, 1) = "10.0.32.0/19". */
export function cidrSubnet(base: string, newBits: number, index: number): string {
  const [ip, prefixText] = base.split("/");
  const prefix = Number(prefixText) + newBits;
  if (prefix > 28) throw new Error(`${base} is too small to split ${newBits} more bits (EKS subnets need at least /28)`);
  if (index >= 2 ** newBits) throw new Error(`${base} has only ${2 ** newBits} subnets of /${prefix}`);
  const size = 2 ** (32 - prefix);
  const start = toNumber(ip) - (toNumber(ip) % 2 ** (32 - Number(prefixText)));
  return `${toIp(start + index * size)}/${prefix}`;
}
