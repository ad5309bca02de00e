/**
 * Whether a webhook URL points at the sandbox itself: pushed to its own routes, it would notify itself in a loop
 * (pinging itself, or resetting itself, every second). Loopback names, the address it listens on, and, when it
 * listens on every interface, any address of this machine count as itself.
 */
import { networkInterfaces } from 'node:os';
import { bare, isEveryInterface, isLoopback } from '../model/addresses.js';

export interface Listening {
  host: string;
  port: number;
}

export function pointsAtItself(url: string, listening: Listening): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  if (port !== listening.port) return false;
  const host = bare(target.hostname);
  if (isLoopback(host) || host === bare(listening.host) || isEveryInterface(host)) return true;
  if (!isEveryInterface(listening.host)) return false;
  return Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => bare(a.address) === host));
}

export const selfLoopMessage = (url: string, listening: Listening) =>
  `webhook: ${url} is the sandbox itself (it listens on port ${listening.port}): its pushes would loop back to it; ` +
  "give your integration's notification URL";
