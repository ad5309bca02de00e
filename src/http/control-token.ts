/**
 * A control API that can be closed: with a control token (--control-token, SANDBOX_CONTROL_TOKEN), every
 * /__sandbox route needs it, but the health check and the payload links the partner downloads. A sandbox listening
 * on every interface (a container) otherwise lets anyone on the network reset it or load a scenario. The partner
 * API's own token rules are unchanged. The decision is the matched route's (see control-routes.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { isControlRoute } from './control-routes.js';

/** Digests have one length whatever was sent: compared in constant time, no answer tells the token's length. */
const digestOf = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer T`: the scheme in any case, one or more spaces after it (RFC 9110, 11.1 and 11.6.2). */
const BEARER = /^bearer +(\S+) *$/i;

/** The token a request gives: in the header, or in the query where the route may be opened as a link. */
function tokenOf(request: FastifyRequest): string | undefined {
  const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (bearer !== undefined || request.routeOptions.config.controlAccess !== 'link') return bearer;
  const query = request.url.indexOf('?');
  return query < 0 ? undefined : (new URLSearchParams(request.url.slice(query + 1)).get('token') ?? undefined);
}

export function registerControlToken(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = digestOf(token);
  const allowed = (request: FastifyRequest) => {
    if (!isControlRoute(request) || request.routeOptions.config.controlAccess === 'open') return true;
    const given = tokenOf(request);
    return given !== undefined && timingSafeEqual(digestOf(given), expected);
  };
  // On the root instance, so that it runs, after routing, before every other hook of a control route.
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (allowed(request)) return done();
    done(
      new ApiError(
        401,
        'Authorization: the control API needs the control token (SANDBOX_CONTROL_TOKEN): send Authorization: Bearer <token>, ' +
          'or ?token=<token> where a browser cannot send a header (the console keeps it once given, the event stream)',
      ),
    );
  });
}
