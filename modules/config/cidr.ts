// IPv4 ranges as stack files spell them, checked the way the clouds check them (an octet above 255, a
// prefix above 32 or host bits under the prefix are refused: terraform-provider-google and -aws validate
// with Go's net.ParseCIDR, and GCE and EC2 refuse a range whose address is not its network address), and
// the overlap test every range a stack declares goes through.
import { z } from "zod";

export interface Ipv4Range {
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

const SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The range a CIDR covers, or why it is not one. */
export function parseCidr(text: string): Ipv4Range | { problem: string } {
  const m = SHAPE.exec(text);
  if (!m) return { problem: 'expected an IPv4 CIDR such as "10.0.0.0/16"' };
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return { problem: `has an octet above 255` };
  if (prefix > 32) return { problem: `has a prefix above /32` };
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = address - (address % size);
  if (first !== address) {
    const network = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
    return { problem: `has host bits set under /${prefix}: the range's address is ${network}/${prefix}` };
  }
  return { first, last: first + size - 1, prefix };
}

/** A zod IPv4 CIDR, optionally limited to prefixes from `min` to `max` (e.g. a GKE control plane's /28). */
export function cidr(limits: { min?: number; max?: number; why?: string } = {}) {
  return z.string().superRefine((text, ctx) => {
    const range = parseCidr(text);
    if ("problem" in range) return void ctx.addIssue({ code: "custom", input: text, message: range.problem });
    const { min = 0, max = 32, why } = limits;
    if (range.prefix < min || range.prefix > max) {
      const wanted = min === max ? `a /${min}` : `a /${min} to /${max}`;
      ctx.addIssue({ code: "custom", input: text, message: `must be ${wanted}${why ? ` (${why})` : ""}` });
    }
  });
}

/** Whether two valid CIDRs share an address. */
export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if ("problem" in x || "problem" in y) return false;
  return x.first <= y.last && y.first <= x.last;
}
