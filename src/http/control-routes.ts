/**
 * One notion of "a control route", read from the route that will answer rather than from the URL as spelled:
 * Fastify's router decodes `%5F`, takes absolute-form targets (`http://x/__sandbox/reset`) and matches them to the
 * same route, so a guard that read the raw URL could be walked past with a percent sign.
 */
import type { FastifyRequest } from 'fastify';

export const CONTROL_PREFIX = '/__sandbox/';

/**
 * How a control route is reached with a control token set. `open`: without it (the health check, the console's own
 * files, the payload links the partner downloads). `link`: opened by a browser as a link, an image or an event
 * stream, which cannot send a header, so the token may come as `?token=`. Any other control route: the header only.
 */
export type ControlAccess = 'open' | 'link';

declare module 'fastify' {
  interface FastifyContextConfig {
    controlAccess?: ControlAccess;
  }
}

/** Whether the route that will answer this request is one of the control API's (never by how its path is spelled). */
export const isControlRoute = (request: FastifyRequest): boolean => request.routeOptions.url?.startsWith(CONTROL_PREFIX) === true;

/** The marker that stands for a `token` given in the query wherever a URL is kept or shown. */
const HIDDEN = 'token=(hidden)';

/**
 * The URL with every `token` query parameter's value hidden, however its name is spelled (`%74oken` is `token` to
 * the guard too): what the journal, the log and the event stream keep of a URL.
 */
export function hideToken(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const pairs = url.slice(query + 1).split('&');
  let hidden = false;
  for (let i = 0; i < pairs.length; i++) {
    if (!new URLSearchParams(pairs[i]).has('token')) continue;
    pairs[i] = HIDDEN;
    hidden = true;
  }
  return hidden ? `${url.slice(0, query)}?${pairs.join('&')}` : url;
}
