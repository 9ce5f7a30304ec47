import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError, ErrorCode } from '../../errors';

/**
 * Addresses a webhook must never reach unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true: loopback,
 * private (RFC 1918, IPv6 ULA fc00::/7, which holds the EC2 metadata fd00:ec2::254), link-local
 * (which holds 169.254.169.254), carrier-grade NAT, "this network", multicast and reserved ranges.
 * A webhook is the server making a request on an admin's behalf: without this, an admin could make
 * it probe the internal network or read cloud credentials from the metadata service.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IP literal) is loopback, private, link-local, metadata or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  if (mapped) return BLOCKED.check(mapped, 'ipv4');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family === 6) {
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
    if (hex) {
      const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return BLOCKED.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return BLOCKED.check(bare, 'ipv6');
  }
  return true;
}

/** What the guard needs to know of the configuration. */
export interface UrlRules {
  allowPrivateNetworks: boolean;
  allowHttp: boolean;
}

/** A name that means this machine whatever DNS says (RFC 6761): `localhost` and `*.localhost`. */
function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function refused(message: string): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, `${message} Nothing was changed.`);
}

/**
 * Checks an endpoint URL when it is registered: https (http only outside production), no user
 * name or password in it, and a host that is not, and does not resolve to, a private address.
 * A name that does not resolve now is accepted: it is checked again before every send.
 */
export async function checkEndpointUrl(text: string, rules: UrlRules): Promise<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(`"${text.slice(0, 200)}" is not a URL: give an absolute https:// URL.`);
  }
  if (text.length > 2000) throw refused('The URL is longer than 2,000 characters.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rules.allowHttp))
    throw refused(`Webhook URLs must use https://${rules.allowHttp ? ' or http://' : ''}, got ${url.protocol}//.`);
  if (url.username || url.password) throw refused('A webhook URL must not carry a user name or password.');
  if (rules.allowPrivateNetworks) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLocalName(host) || (isIP(host) && isPrivateAddress(host)))
    throw refused(`${host} is a loopback or private address: webhooks go to public addresses only.`);
  const addresses = await resolveAll(host).catch(() => []);
  if (addresses.some((a) => isPrivateAddress(a.address)))
    throw refused(`${host} resolves to a loopback or private address: webhooks go to public addresses only.`);
  return url;
}

/** One address a name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

async function resolveAll(host: string): Promise<ResolvedAddress[]> {
  const family = isIP(host);
  if (family !== 0) return [{ address: host, family: family as 4 | 6 }];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
}

/**
 * The address to connect to for a send: the host is resolved now, every address it resolves to is
 * checked (one private address refuses the name: DNS may hand out either), and the caller connects
 * to the checked address, so a name that changes between the check and the connection (DNS
 * rebinding) cannot slip through. Throws a plain Error saying why, recorded as the attempt's error.
 */
export async function safeAddress(url: URL, allowPrivateNetworks: boolean): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!allowPrivateNetworks && isLocalName(host)) throw new Error(`refused: ${host} is a loopback name`);
  const addresses = await resolveAll(host);
  if (addresses.length === 0) throw new Error(`${host} did not resolve`);
  if (!allowPrivateNetworks && addresses.some((a) => isPrivateAddress(a.address)))
    throw new Error(`refused: ${host} resolves to a loopback or private address`);
  return addresses[0];
}
