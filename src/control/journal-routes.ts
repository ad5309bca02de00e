/** `GET` and `DELETE /__sandbox/requests`: the journal of API calls, filtered, one entry, or cleared. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ApiError } from '../contract/errors.js';
import { Ok, OkNoResultSchema } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import {
  JOURNAL_BODIES_KEPT,
  JOURNAL_BODY_KEPT,
  JOURNAL_CAPACITY,
  JournalEntrySchema,
  JournalFilterSchema,
  type Journal,
  type JournalFilter,
} from '../journal/journal.js';

const RequestParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'The entry id' }) });

export function journalRoutes(app: FastifyInstance, journal: Journal): void {
  const tags = [CONTROL_TAG];
  app.get<{ Querystring: JournalFilter }>(
    '/__sandbox/requests',
    {
      schema: {
        tags,
        summary: `The journal of API calls, oldest first (the last ${JOURNAL_CAPACITY} are kept)`,
        description:
          `A body longer than ${JOURNAL_BODY_KEPT} characters is kept cut, ending with a marker that says so; a file's bytes are ` +
          `described, not kept; past ${JOURNAL_BODIES_KEPT} characters of bodies in all, the oldest entries go first (counted in dropped).`,
        querystring: JournalFilterSchema,
        response: {
          200: Ok(
            Type.Object({
              requests: Type.Array(JournalEntrySchema),
              dropped: Type.Integer({ description: 'Entries dropped from the journal since it was last cleared' }),
              capacity: Type.Integer(),
            }),
          ),
        },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      result: { requests: journal.list(request.query), dropped: journal.dropped, capacity: JOURNAL_CAPACITY },
    }),
  );

  app.get<{ Params: Static<typeof RequestParams> }>(
    '/__sandbox/requests/:id',
    { schema: { tags, summary: 'One journal entry, with its bodies', params: RequestParams, response: { 200: Ok(JournalEntrySchema) } } },
    async (request) => {
      const entry = journal.find(request.params.id);
      if (!entry) throw new ApiError(404, `id: request ${request.params.id} is not in the journal (it keeps the last ${JOURNAL_CAPACITY})`);
      return { status: 'OK' as const, result: entry };
    },
  );

  app.delete('/__sandbox/requests', { schema: { tags, summary: 'Clear the journal', response: { 200: OkNoResultSchema } } }, async () => {
    journal.clear();
    return { status: 'OK' as const };
  });
}
