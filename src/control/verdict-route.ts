/** A read-only control route that answers JSON in the envelope, or the same verdicts as JUnit XML (`?format=junit`). */
import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import { Ok, stringEnum } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';

const FormatQuery = Type.Object({ format: Type.Optional(stringEnum(['json', 'junit'] as const, 'json (default) or junit (JUnit XML)')) });

export function verdictRoute<T>(
  app: FastifyInstance,
  url: string,
  doc: { summary: string; description: string; result: TSchema },
  make: () => { json: T; junit: () => string },
): void {
  app.get<{ Querystring: Static<typeof FormatQuery> }>(
    url,
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: doc.summary,
        description: doc.description,
        querystring: FormatQuery,
        response: { 200: Ok(doc.result) },
      },
      // Downloaded by the console as a link (JUnit XML), which carries no header.
      config: { controlAccess: 'link' },
    },
    async (request, reply) => {
      const made = make();
      if (request.query.format === 'junit') return reply.type('application/xml; charset=utf-8').send(made.junit());
      return { status: 'OK' as const, result: made.json };
    },
  );
}
