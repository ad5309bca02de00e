/**
 * The sandbox never pushes to itself: every push carries its marker (X-Sandbox-Push), and a request that has it is
 * refused before anything else runs, whatever name, address or interface led it back here (a host name, `localhost.`,
 * `[::ffff:127.0.0.1]`, a proxy). The refusal carries the marker back, so that the notifier knows where its push
 * landed and does not retry it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { PUSH_MARKER_HEADER } from '../contract/notifications.js';

export function registerSelfPushGuard(app: FastifyInstance, marker: string): void {
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.headers[PUSH_MARKER_HEADER] !== marker) return done();
    done(
      new ApiError(403, `${PUSH_MARKER_HEADER}: this is a push of this sandbox to itself; its webhook must be your integration's URL`, {
        [PUSH_MARKER_HEADER]: marker,
      }),
    );
  });
}
