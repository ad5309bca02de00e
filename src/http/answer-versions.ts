/**
 * What a scenario changes in how the partner API is reached and answered: with `paths: v2-only` the older
 * unprefixed paths are gone, as Market announces they will be; with `forwardCompatibility` successful answers
 * carry what a later version of the API may add.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { roughenResult, type ForwardCompatibility } from '../contract/forward-compatibility.js';
import type { CallId } from '../contract/operations.js';
import { unknownPath } from './error-handling.js';

export interface AnswerVersions {
  readonly v2Only: boolean;
  forwardCompatibility(operation: CallId | undefined): ForwardCompatibility | undefined;
}

/** A call of an unprefixed path in v2-only mode answers 404, as an unknown path does. */
export function refuseUnprefixed(versions: AnswerVersions) {
  return function v2Only(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (!versions.v2Only || request.url.startsWith('/v2/')) {
      done();
      return;
    }
    done(unknownPath(request.method, request.url.split('?')[0], ' (the sandbox serves only /v2 paths: paths v2-only)'));
  };
}

/**
 * Registered before the journal, so that the journal keeps what the client got. Nothing is parsed unless the
 * scenario asks for it: the answers' bytes go out as they are.
 */
export function registerForwardCompatibility(api: FastifyInstance, versions: AnswerVersions): void {
  api.addHook('onSend', (request, reply, payload, done) => {
    const settings = versions.forwardCompatibility(request.routeOptions.config.operationId);
    if (!settings || reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      done(null, payload);
      return;
    }
    let body: { result?: unknown };
    try {
      body = JSON.parse(payload.toString()) as { result?: unknown };
    } catch {
      // A scenario's scripted answer that is not JSON goes out as it was written.
      done(null, payload);
      return;
    }
    roughenResult(body.result, settings);
    done(null, JSON.stringify(body));
  });
}
