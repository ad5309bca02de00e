/**
 * A control API that can be closed: with a control token (--control-token, SANDBOX_CONTROL_TOKEN), every
 * /__sandbox route needs it, but the health check and the payload links the partner downloads. A sandbox listening
 * on every interface (a container) otherwise lets anyone on the network reset it or load a scenario. The partner
 * API's own token rules are unchanged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../contract/errors.js';

/** Open without the token: the health check, the console's own files (they hold nothing), and payload downloads. */
const OPEN = /^\/__sandbox\/(health(\?|$)|console\/|files\/[^/?]+(\?|$))/;

const matches = (given: string | undefined, token: string) =>
  given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));

function tokenOf(request: FastifyRequest): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  // The console and the event stream (EventSource sends no headers) give it in the query.
  const query = request.url.indexOf('?');
  return query < 0 ? undefined : (new URLSearchParams(request.url.slice(query + 1)).get('token') ?? undefined);
}

export function registerControlToken(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!request.url.startsWith('/__sandbox/') || OPEN.test(request.url) || matches(tokenOf(request), token)) return done();
    done(
      new ApiError(
        401,
        'Authorization: the control API needs the control token (SANDBOX_CONTROL_TOKEN): send Authorization: Bearer <token>, ' +
          'or ?token=<token> (the console keeps it once given)',
      ),
    );
  });
}
