/**
 * Where a tenant may send our calls: outbound provider URLs (Twilio `baseUrl`, SES `endpoint`, CRM
 * `apiUrl`/`authUrl`, the CRM webhook `url`) are https and never a private, loopback, link-local or
 * otherwise internal address, so a tenant cannot aim our functions at the metadata service, the VPC
 * or the machine itself. The local runtime and its contract servers listen on loopback over http:
 * `JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS=1` (set by local/runtime.ts, never by CDK) allows exactly that,
 * read on every check. Only literal addresses and `localhost` are judged; a public name that resolves
 * to a private address is beyond a schema (it would take a DNS lookup at send time).
 */
import { BlockList, isIP } from 'node:net';
import * as z from './zod';

export const ALLOW_LOCAL_PROVIDER_URLS_ENV = 'JOBRELAY_ALLOW_LOCAL_PROVIDER_URLS';

/** The setting, read per call so a test can judge both ways. */
export function localProviderUrlsAllowed(): boolean {
  return process.env[ALLOW_LOCAL_PROVIDER_URLS_ENV] === '1';
}

// Node's own address-range matcher (node:net BlockList); it also matches IPv4-mapped IPv6 forms.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Not public: RFC 1918, CGNAT, link-local (incl. 169.254.169.254), "this network", multicast, reserved, ULA. */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

function isLocalHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Why the URL may not be called, or undefined when it may. Pure: the setting is a parameter
 * (`providerUrl()` passes the environment's).
 */
export function providerUrlProblem(value: string, options: { allowLocal: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  // The WHATWG parser has already turned 0x7f.1, 2130706433 and friends into dotted IPv4.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const isLoopback = isLocalHostname(host) || (family !== 0 && loopback.check(host, type));
  if (isLoopback) {
    if (!options.allowLocal) return 'must not be a loopback address or localhost';
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be https';
    return undefined;
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (family !== 0 && internal.check(host, type)) return 'must not be a private, link-local or reserved address';
  return undefined;
}

/** The zod field for an outbound provider URL: a 400 naming the field when it breaks the rules. */
export function providerUrl() {
  return z
    .string()
    .max(2_048)
    .superRefine((value, ctx) => {
      const problem = providerUrlProblem(value, { allowLocal: localProviderUrlsAllowed() });
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (an https URL of the provider)` });
    })
    .openapi({ format: 'uri', description: 'https, a public address' });
}
