// Which peers may tell us who the client is. Behind a reverse proxy every connection comes from the proxy, so the
// client's address is in X-Forwarded-For; but anyone can send that header, so it is read only past peers the
// operator named (TANDEM_TRUST_PROXY), the way Express's `trust proxy` does, and never by default.
import { BlockList, isIP } from 'node:net';

export interface TrustProxy {
  /** The setting as given, for logs and errors. */
  readonly description: string;
  /** Whether the peer at `hop` (0 = the socket's peer, 1 = the address it forwarded for, ...) is a trusted proxy. */
  trusts(address: string, hop: number): boolean;
}

const namedRanges: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` is how an IPv4 peer shows on a dual-stack socket; it is matched and reported as IPv4. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address.toLowerCase();
}

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function addRange(list: BlockList, range: string): void {
  const [address = '', prefix, ...rest] = range.split('/');
  const version = isIP(address);
  const bits = prefix === undefined ? (version === 6 ? 128 : 32) : Number(prefix);
  if (
    !version ||
    rest.length > 0 ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > (version === 6 ? 128 : 32)
  ) {
    throw new Error(`"${range}" is not an IP address or CIDR range`);
  }
  list.addSubnet(normalizeAddress(address), bits, family(address));
}

/**
 * Parses TANDEM_TRUST_PROXY: unset, empty, `false` or `0` trust nobody; a number trusts that many hops in front of
 * us; otherwise a comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.
 * `true` (trust every hop) is refused: the client could then name any address it likes.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false' || text === '0') return undefined;
  if (text === 'true') {
    throw new Error(
      '`true` would let any client choose its address; give the number of proxies (e.g. 1) instead',
    );
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return { description: `${hops} hop(s)`, trusts: (_address, hop) => hop < hops };
  }
  const list = new BlockList();
  for (const item of text.split(',').map((s) => s.trim())) {
    const named = namedRanges[item];
    for (const range of named ?? [item]) addRange(list, range);
  }
  return {
    description: text,
    trusts: (address) => isIP(address) !== 0 && list.check(address, family(address)),
  };
}

/** One X-Forwarded-For entry to a bare address: proxies may add a port (`1.2.3.4:80`, `[::1]:80`). */
function forwardedAddress(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(text);
  const address = bracketed?.[1] ?? withPort?.[1] ?? text;
  return isIP(address) ? normalizeAddress(address) : undefined;
}

/**
 * The client's address: walk from the socket's peer back along X-Forwarded-For (right to left) while each hop is
 * trusted; the first untrusted one is the client. Entries left of it were written by the client and are not read.
 */
export function resolveClientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustProxy | undefined,
): string {
  if (!socketAddress) return 'unknown';
  let client = normalizeAddress(socketAddress);
  if (!trust || forwardedFor === undefined) return client;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').reverse();
  for (const [hop, entry] of chain.entries()) {
    if (!trust.trusts(client, hop)) break;
    const next = forwardedAddress(entry);
    // A trusted proxy that forwarded garbage is the last address we can vouch for.
    if (!next) break;
    client = next;
  }
  return client;
}

/** The eight 16-bit groups of an IPv6 address (also one written with `::` or a dotted IPv4 tail). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/**
 * The key an address is rate-limited under. One IPv6 subscriber usually holds a whole /64 and can use any address
 * in it, so per-address limits count the /64; IPv4 addresses count alone.
 */
export function rateLimitAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address).slice(0, 4);
  return `${groups.map((g) => g.toString(16)).join(':')}::/64`;
}
