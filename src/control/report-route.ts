/** `GET /__sandbox/report`: what the partner's integration does wrong, as JSON or JUnit XML. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { Ok, stringEnum } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { ReportSchema, reportJunit } from '../report/report.js';
import type { SandboxRuntime } from '../runtime.js';

const ReportQuery = Type.Object({ format: Type.Optional(stringEnum(['json', 'junit'] as const, 'json (default) or junit (JUnit XML)')) });

export function reportRoute(app: FastifyInstance, runtime: SandboxRuntime): void {
  app.get<{ Querystring: Static<typeof ReportQuery> }>(
    '/__sandbox/report',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: "The integration report: what the partner's code does wrong, checked against Market's practices",
        description:
          'Made on request from the journal and the notification log (both keep the latest entries); reset clears it. ' +
          "?format=junit: one test case per check, failed when it has an error-severity finding. The scenario's report: sets thresholds or turns checks off.",
        querystring: ReportQuery,
        response: { 200: Ok(ReportSchema) },
      },
    },
    async (request, reply) => {
      const report = runtime.report();
      if (request.query.format === 'junit') return reply.type('application/xml; charset=utf-8').send(reportJunit(report));
      return { status: 'OK' as const, result: report };
    },
  );
}
