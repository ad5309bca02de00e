/** With a scenario's `forwardCompatibility`, successful answers carry what a later version of the API may add. */
import type { FastifyInstance } from 'fastify';
import { roughenResult, type ForwardCompatibility } from '../contract/forward-compatibility.js';
import type { CallId } from '../contract/operations.js';

export interface AnswerVersions {
  forwardCompatibility(operation: CallId | undefined): ForwardCompatibility | undefined;
}

/**
 * Registered before the journal, so that the journal keeps what the client got. Nothing is parsed unless the
 * scenario asks for it: the answers' bytes go out as they are.
 */
export function registerForwardCompatibility(api: FastifyInstance, versions: AnswerVersions): void {
  api.addHook('onSend', (request, reply, payload, done) => {
    const settings = versions.forwardCompatibility(request.routeOptions.config.operationId);
    if (!settings || request.forwarded || reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
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
