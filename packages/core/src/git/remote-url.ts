// What a git remote may be. A remote is fetched by the server, so a URL is a request the server makes on a member's
// behalf (SSRF): only http(s) and ssh, never `file://` or a local path, and no private or loopback address unless an
// admin allows that host. The address check runs again on every resolved address (see `isPrivateAddress`), since a
// public name can resolve to a private address.
import { AppError } from '../errors.ts';

export interface RemoteUrl {
  protocol: 'https' | 'http' | 'ssh';
  /** Lower-case host name or address, without brackets for IPv6. */
  host: string;
  port: number | undefined;
  /**
   * The URL to hand to the git client. The scp-like form stays as written: its path is relative to the remote
   * user's home, which an ssh:// URL cannot say.
   */
  href: string;
}

const refuse = (reason: string, details: Record<string, unknown> = {}) =>
  new AppError('GIT_URL_REFUSED', `This remote URL is not allowed: ${reason}.`, {
    details: { reason, ...details },
  });

// user@host:path (scp-like ssh), the form GitHub shows for ssh clones. Neither user nor host may start with `-`
// (ssh would read it as an option).
const SCP_LIKE = /^([A-Za-z0-9._][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9.-]*):(?!\/\/)([^\s'"\\]+)$/;

/** Parses and checks a remote URL's form; throws GIT_URL_REFUSED. The host's addresses are checked separately. */
export function parseRemoteUrl(input: string): RemoteUrl {
  const text = input.trim();
  if (text.length === 0 || text.length > 2048) throw refuse('empty or longer than 2048 characters');
  const scp = SCP_LIKE.exec(text);
  if (scp) {
    const [, user = '', host = '', path = ''] = scp;
    return checkHost({ protocol: 'ssh', host, port: undefined, href: `${user}@${host}:${path}` });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('local paths are not remotes; use an https:// or ssh:// URL');
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'https' && protocol !== 'http' && protocol !== 'ssh') {
    throw refuse(`the ${protocol}:// scheme is not allowed (https, http and ssh are)`, { protocol });
  }
  if ((protocol === 'https' || protocol === 'http') && (url.username || url.password)) {
    // A token in the URL would be stored and shown in plain text; credentials are stored sealed instead.
    throw refuse('put the token in a credential, not in the URL');
  }
  if (protocol === 'ssh' && (url.username.startsWith('-') || url.username.startsWith('%2D'))) {
    throw refuse('the user name may not start with "-"');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return checkHost({
    protocol,
    host,
    port: url.port ? Number(url.port) : undefined,
    href: url.href,
  });
}

/**
 * Whether a URL as typed is an SSH remote (`ssh://…` or scp-like `user@host:path`), which takes a deploy key rather
 * than a token. A URL that is not a remote at all is not one (connecting says why).
 */
export function isSshRemoteUrl(input: string): boolean {
  try {
    return parseRemoteUrl(input).protocol === 'ssh';
  } catch {
    return false;
  }
}

function checkHost(remote: RemoteUrl): RemoteUrl {
  if (remote.host.length === 0) throw refuse('the URL names no host');
  return { ...remote, host: remote.host.toLowerCase() };
}

/** Parses TANDEM_GIT_ALLOWED_HOSTS: comma-separated host names or addresses, compared case-insensitively. */
export function parseAllowedHosts(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((part) =>
      part
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter((part) => part.length > 0);
}

function ipv4Parts(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const numbers = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return numbers.every((n) => n >= 0 && n <= 255) ? numbers : undefined;
}

function privateIpv4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

/**
 * True for addresses a server must not be sent to on a member's say-so: loopback, private, link-local, unique-local,
 * multicast, unspecified, and IPv4 addresses mapped into IPv6. Anything that is not an address (a name) is false.
 */
export function isPrivateAddress(address: string): boolean {
  const v4 = ipv4Parts(address);
  if (v4) return privateIpv4(v4);
  if (!address.includes(':')) return false;
  const lower = address.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, '0:'));
  if (mapped?.[1]) {
    const parts = ipv4Parts(mapped[1]);
    return parts ? privateIpv4(parts) : true;
  }
  if (lower === '::' || lower === '::1') return true;
  const first = Number.parseInt(lower.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 || // multicast
    first === 0 // ::/8 and the rest of the reserved low block (incl. ::ffff: forms not matched above)
  );
}

/**
 * Checks the addresses a remote's host resolved to. The host (as written, or any of its addresses) being on the
 * allowlist admits private addresses; otherwise one private address is enough to refuse, so a name that resolves
 * to both cannot be used to reach the private one.
 */
export function checkRemoteAddresses(
  host: string,
  addresses: readonly string[],
  allowedHosts: readonly string[],
): void {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  if (allowed.has(host.toLowerCase())) return;
  const blocked = addresses.filter(
    (address) => isPrivateAddress(address) && !allowed.has(address.toLowerCase()),
  );
  if (blocked.length > 0) {
    throw refuse(
      `${host} is a private or loopback address (${blocked.join(', ')}); an admin can allow it with TANDEM_GIT_ALLOWED_HOSTS`,
      { host, addresses: blocked },
    );
  }
  if (addresses.length === 0) {
    throw new AppError('GIT_UNREACHABLE', `The remote host ${host} has no address.`, { details: { host } });
  }
}
