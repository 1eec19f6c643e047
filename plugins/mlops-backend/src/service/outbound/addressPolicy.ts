import { BlockList, isIP } from 'node:net';

/**
 * How the guard treats a resolved address.
 *
 * - `metadata`: a cloud instance or pod credential endpoint; refused always.
 * - `never`: unspecified, multicast, broadcast and the 240/4 block; no HTTP
 *   server can legitimately live there, so refused always.
 * - `private`: loopback, link-local, RFC 1918, CGNAT, ULA and other
 *   special-purpose ranges; refused unless `allowPrivateNetworks`.
 * - `public`: everything else.
 */
export type AddressCategory = 'metadata' | 'never' | 'private' | 'public';

function blockList(
  entries: Array<[address: string, prefix: number]>,
): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of entries) {
    list.addSubnet(address, prefix, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

// BlockList matches IPv4 rules against IPv4-mapped IPv6 (::ffff:a.b.c.d) too.
const METADATA = blockList([
  ['169.254.169.254', 32], // AWS, GCP, Azure, OpenStack instance metadata
  ['169.254.170.2', 32], // ECS task credentials
  ['169.254.170.23', 32], // EKS Pod Identity agent
  ['100.100.100.200', 32], // Alibaba Cloud metadata
  ['fd00:ec2::254', 128], // AWS instance metadata over IPv6
  ['fd00:ec2::23', 128], // EKS Pod Identity agent over IPv6
]);

const NEVER = blockList([
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['::', 128],
  ['ff00::', 8],
]);

const PRIVATE = blockList([
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['::', 96], // IPv4-compatible (deprecated), includes ::1
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
]);

/** Expands an IPv6 address into its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0];
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(
      16,
    )}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part ? part.split(':').map(group => parseInt(group, 16)) : [];
  const headGroups = parse(head);
  const tailGroups = parse(tail);
  const zeros = new Array(8 - headGroups.length - tailGroups.length).fill(0);
  return tail === undefined
    ? headGroups
    : [...headGroups, ...zeros, ...tailGroups];
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 address a translating IPv6 prefix (NAT64, 6to4) would reach, so a
 * NAT64 gateway cannot be used to smuggle a metadata or private address.
 */
function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const isNat64 =
    (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every(x => x === 0)) ||
    (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1);
  if (isNat64) return ipv4FromGroups(g[6], g[7]);
  if (g[0] === 0x2002) return ipv4FromGroups(g[1], g[2]);
  return undefined;
}

/**
 * Addresses already classified. A probe cycle asks about the same few
 * addresses thousands of times, and each BlockList check allocates native
 * socket addresses; the classification of an address never changes.
 */
const classified = new Map<string, AddressCategory>();
const MAX_CLASSIFIED = 4096;

/** Classifies an IP literal; anything that is not an IP literal is `never`. */
export function classifyAddress(address: string): AddressCategory {
  let category = classified.get(address);
  if (category === undefined) {
    category = classifyUncached(address);
    if (classified.size >= MAX_CLASSIFIED) classified.clear();
    classified.set(address, category);
  }
  return category;
}

function classifyUncached(address: string): AddressCategory {
  const family = isIP(address);
  if (family === 0) return 'never';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (METADATA.check(address, type)) return 'metadata';
  if (NEVER.check(address, type)) return 'never';
  if (PRIVATE.check(address, type)) return 'private';
  if (family === 6) {
    const embedded = embeddedIPv4(address);
    if (embedded) return classifyUncached(embedded);
  }
  return 'public';
}

/** Why an address may not be contacted and, when a setting lifts that, which. */
export interface AddressRefusal {
  reason: string;
  remedy?: string;
}

/** The refusal of an address, or undefined when it may be contacted. */
export function addressRefusal(
  address: string,
  allowPrivateNetworks: boolean,
): AddressRefusal | undefined {
  switch (classifyAddress(address)) {
    case 'metadata':
      return { reason: `${address} is a cloud metadata address` };
    case 'never':
      return { reason: `${address} is not a routable unicast address` };
    case 'private':
      return allowPrivateNetworks
        ? undefined
        : {
            reason: `${address} is in a private, loopback or link-local range`,
            remedy: 'set mlops.outbound.allowPrivateNetworks: true',
          };
    default:
      return undefined;
  }
}

/** Why an address may not be contacted, or undefined when it may. */
export function refusalReason(
  address: string,
  allowPrivateNetworks: boolean,
): string | undefined {
  return addressRefusal(address, allowPrivateNetworks)?.reason;
}
