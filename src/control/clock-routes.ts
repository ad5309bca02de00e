/**
 * `GET` and `POST /__sandbox/clock`: the sandbox's time, and moving it forward as Stripe's test clocks do:
 * whatever falls due on the way (a quota window, a push's retry, a conversation's deadline, a buyer's reply,
 * a link's expiry) happens, in order of its due time, before the answer.
 */
import type { FastifyInstance, HookHandlerDoneFunction } from 'fastify';
import { Type, type Static } from 'typebox';
import { ClockError, MAX_MOVE_MS, type SandboxClock } from '../clock/clock.js';
import { ApiError } from '../contract/errors.js';
import { DateTime, Ok } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { durationMs } from '../model/duration.js';
import { Duration } from '../scenario/schema-parts.js';

const ClockSchema = Type.Object({
  now: Type.String({ description: "The sandbox's time (ISO 8601, UTC)" }),
  frozen: Type.Boolean({ description: 'true: time moves only when the clock is moved (--clock-frozen)' }),
  pending: Type.Integer({ description: 'Things waiting on the clock: retries, replies, deadlines…' }),
});
export type ClockNow = Static<typeof ClockSchema>;

const MoveSchema = Type.Object(
  {
    advance: Type.Optional(Duration('How far to move the clock forward', MAX_MOVE_MS)),
    to: Type.Optional(DateTime('Where to move the clock: a time from now on (time never goes backwards)')),
  },
  { additionalProperties: false },
);

const MovedSchema = Type.Object({
  ...ClockSchema.properties,
  ran: Type.Integer({ description: 'Things that fell due on the way and happened' }),
});

/** Fastify drops unknown keys before validation; a move that says something else is refused instead. */
function refuseUnknownKeys(body: unknown, done: HookHandlerDoneFunction): void {
  const unknown = body && typeof body === 'object' ? Object.keys(body).find((key) => !(key in MoveSchema.properties)) : undefined;
  done(unknown === undefined ? undefined : new ApiError(400, `${unknown}: is not part of a move of the clock; give advance or to`));
}

export function clockRoutes(app: FastifyInstance, clock: SandboxClock): void {
  const tags = [CONTROL_TAG];
  const now = (): ClockNow => ({ now: new Date(clock.now()).toISOString(), frozen: clock.frozen, pending: clock.pending });

  app.get(
    '/__sandbox/clock',
    { schema: { tags, operationId: 'getClock', summary: "The sandbox's time", response: { 200: Ok(ClockSchema) } } },
    async () => ({ status: 'OK' as const, result: now() }),
  );

  // Declared apart: beside a hook, Fastify's route types check the schema without @fastify/swagger's keys.
  const moveSchema = {
    tags,
    operationId: 'moveClock',
    summary: 'Move the clock forward: { "advance": "1h" } or { "to": "2026-12-31T23:00:00+03:00" }',
    description:
      'Everything due on the way happens first, in order of its due time: quota windows renew, pushes are retried, ' +
      "conversations' deadlines pass, simulated buyers reply, links expire. Answers once that is done.",
    body: MoveSchema,
    response: { 200: Ok(MovedSchema) },
  };
  app.post<{ Body: Static<typeof MoveSchema> }>(
    '/__sandbox/clock',
    { schema: moveSchema, preValidation: (request, _reply, done) => refuseUnknownKeys(request.body, done) },
    async (request) => {
      const { advance, to } = request.body;
      if ((advance === undefined) === (to === undefined)) {
        throw new ApiError(400, 'advance: give either advance (a duration such as 1h) or to (an ISO 8601 time), not both or neither');
      }
      const before = clock.ran;
      try {
        await (advance !== undefined ? clock.advance(durationMs(advance)) : clock.set(Date.parse(to!)));
      } catch (error) {
        if (error instanceof ClockError) throw new ApiError(400, error.message);
        throw error;
      }
      return { status: 'OK' as const, result: { ...now(), ran: clock.ran - before } };
    },
  );
}
