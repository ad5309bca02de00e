/** Network addresses as the sandbox judges them: loopback names, and the addresses that mean every interface. */
import { isIP } from 'node:net';

/** An address or host name without IPv6 brackets, in lower case. */
export const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** Loopback names and addresses: localhost (and its subdomains), 127.0.0.0/8, ::1, and IPv4 loopback mapped to IPv6. */
export function isLoopback(host: string): boolean {
  const name = bare(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name.startsWith('::ffff:127.');
}

/** Whether listening on `host` means listening on every interface. */
export const isEveryInterface = (host: string) => ['0.0.0.0', '::'].includes(bare(host));
