import { isIP } from 'node:net';

/**
 * Which addresses a webhook may reach. Anything that is not plainly on the public
 * Internet is refused: a merchant-supplied URL must never become a way into our own
 * network (SSRF). The ranges are those of the IANA special-purpose registries.
 */

export type AddressClass =
  | 'unspecified'
  | 'this-network'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'cloud-metadata'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'protocol-assignment'
  | 'discard'
  | 'translation';

interface Range<T extends number | bigint> {
  base: T;
  prefix: number;
  kind: AddressClass;
}

function v4(cidr: string, kind: AddressClass): Range<number> {
  const [address, prefix] = cidr.split('/');
  return { base: parseIpv4(address) as number, prefix: Number(prefix), kind };
}

function v6(cidr: string, kind: AddressClass): Range<bigint> {
  const [address, prefix] = cidr.split('/');
  return { base: parseIpv6(address) as bigint, prefix: Number(prefix), kind };
}

/* Most specific first: the first match names the class. */
const IPV4_RANGES: Range<number>[] = [
  v4('169.254.169.254/32', 'cloud-metadata'),
  v4('100.100.100.200/32', 'cloud-metadata'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('0.0.0.0/8', 'this-network'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'protocol-assignment'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: Range<bigint>[] = [
  v6('fd00:ec2::254/128', 'cloud-metadata'),
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('::/96', 'reserved'),
  v6('64:ff9b:1::/48', 'translation'),
  v6('100::/64', 'discard'),
  v6('2001::/23', 'protocol-assignment'),
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

/* IPv6 forms that carry an IPv4 address inside: the embedded address decides. */
const EMBEDDED_IPV4: Array<{ range: Range<bigint>; shift: bigint }> = [
  { range: v6('::ffff:0:0/96', 'reserved'), shift: 0n }, // IPv4-mapped
  { range: v6('64:ff9b::/96', 'translation'), shift: 0n }, // NAT64
  { range: v6('2002::/16', 'reserved'), shift: 80n }, // 6to4
];

/** Dotted-quad IPv4 as a 32-bit number; undefined unless it is exactly four decimal octets. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** IPv6 text (with `::` and an optional trailing dotted quad) as a 128-bit number. */
function parseIpv6(text: string): bigint | undefined {
  let source = text.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (dotted) {
    const ipv4 = parseIpv4(dotted[1]);
    if (ipv4 === undefined) return undefined;
    source = `${source.slice(0, -dotted[1].length)}${(ipv4 >>> 16).toString(16)}:${(ipv4 & 0xffff).toString(16)}`;
  }
  const halves = source.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

function inRange4(address: number, range: Range<number>): boolean {
  const mask = range.prefix === 0 ? 0 : (0xffffffff << (32 - range.prefix)) >>> 0;
  return (address & mask) >>> 0 === (range.base & mask) >>> 0;
}

function inRange6(address: bigint, range: Range<bigint>): boolean {
  const hostBits = BigInt(128 - range.prefix);
  return address >> hostBits === range.base >> hostBits;
}

function classifyIpv4(address: number): AddressClass | null {
  return IPV4_RANGES.find((range) => inRange4(address, range))?.kind ?? null;
}

function classifyIpv6(address: bigint): AddressClass | null {
  for (const { range, shift } of EMBEDDED_IPV4) {
    if (inRange6(address, range)) return classifyIpv4(Number((address >> shift) & 0xffffffffn));
  }
  return IPV6_RANGES.find((range) => inRange6(address, range))?.kind ?? null;
}

/**
 * The class of a non-public address, or null for a public one. `address` is what a
 * resolver returns (IPv4 dotted quad or IPv6 text); anything unparsable is 'reserved',
 * so that an address we cannot read is never treated as safe.
 */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) {
    const parsed = parseIpv4(bare);
    return parsed === undefined ? 'reserved' : classifyIpv4(parsed);
  }
  if (family === 6) {
    const parsed = parseIpv6(bare);
    return parsed === undefined ? 'reserved' : classifyIpv6(parsed);
  }
  return 'reserved';
}

export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === null;
}

/** Why an address is refused, in words for a 400 or an attempt's error. */
export function describeRefusedAddress(address: string, kind: AddressClass): string {
  return `${address} is a ${kind} address`;
}
