import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { BlockedAddressError } from '../../src/errors.js';

/**
 * What the browse plugin may connect to: public unicast addresses only. Loopback, private, link-local (cloud
 * metadata at 169.254.169.254 and fd00:ec2::254), CGNAT, unspecified, multicast, reserved, IPv6 unique-local
 * and IPv4-mapped/embedded forms of those are refused, unless `allowHosts` names the host.
 *
 * Names are checked where the connection is made: the lookup below validates every address it returns, and
 * the socket only ever connects to an address that passed, so a name that resolves to a public address for
 * the check and to 127.0.0.1 for the connection (DNS rebinding) has no gap to slip through.
 */
export class SsrfGuard {
  readonly #allowHosts: ReadonlySet<string>;

  /** @param allowHosts `host` or `host:port` entries that may be fetched although private. */
  constructor(allowHosts: readonly string[]) {
    this.#allowHosts = new Set(allowHosts.map((host) => host.toLowerCase()));
  }

  /** Whether the URL's host (or host:port) is exempt from the address check. */
  isAllowedHost(url: URL): boolean {
    const hostname = url.hostname.toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.#allowHosts.has(hostname) || this.#allowHosts.has(`${hostname}:${port}`);
  }

  /**
   * Checks a URL before any connection: http(s) only; an IP literal (in any notation: WHATWG URL parsing
   * already turned `2130706433`, `0x7f.1` and `017700000001` into `127.0.0.1`) must be public.
   */
  checkURL(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new BlockedAddressError(`only http and https URLs can be fetched, not ${url.protocol}`);
    if (this.isAllowedHost(url)) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) assertPublic(host, url.hostname);
  }

  /** Checks the address a socket actually connected to. */
  checkConnected(url: URL, address: string | undefined): void {
    if (!address || this.isAllowedHost(url)) return;
    assertPublic(address, url.hostname);
  }

  /** A `dns.lookup` replacement for got's `dnsLookup`: resolves, then refuses if any address is not public. */
  lookupFor(url: URL) {
    const exempt = this.isAllowedHost(url);
    return (
      hostname: string,
      options: LookupOptions,
      callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '');
        try {
          if (!exempt && !this.isAllowedHost(new URL(`http://${hostname}`)))
            for (const entry of addresses) assertPublic(entry.address, hostname);
        } catch (blocked) {
          return callback(blocked as NodeJS.ErrnoException, '');
        }
        if (options.all) return callback(null, addresses);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        callback(null, first.address, first.family);
      });
    };
  }
}

/** Throws BlockedAddressError unless `address` is a public unicast address. */
export function assertPublic(address: string, hostname: string): void {
  if (!isPublicAddress(address)) {
    throw new BlockedAddressError(
      `${hostname} is a ${describe(address)} address (${address}) and is not fetched; list it in browse.allowHosts to allow it`,
    );
  }
}

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 and friends are the IPv4 address they carry.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

function describe(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const names: Record<string, string> = {
    loopback: 'loopback',
    private: 'private',
    linkLocal: 'link-local (cloud metadata)',
    carrierGradeNat: 'carrier-grade NAT',
    unspecified: 'unspecified',
    uniqueLocal: 'IPv6 unique-local',
    multicast: 'multicast',
    broadcast: 'broadcast',
    reserved: 'reserved',
  };
  return names[parsed.range()] ?? `non-public (${parsed.range()})`;
}
