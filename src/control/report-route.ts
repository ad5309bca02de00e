/** `GET /__sandbox/report`: what the partner's integration does wrong, as JSON or JUnit XML. */
import type { FastifyInstance } from 'fastify';
import { ReportSchema, reportJunit, type Report } from '../report/report.js';
import { verdictRoute } from './verdict-route.js';

/** `report`: makes the report from the journal and the notification log as they are now. */
export function reportRoute(app: FastifyInstance, report: () => Report): void {
  verdictRoute(
    app,
    '/__sandbox/report',
    {
      summary: "The integration report: what the partner's code does wrong, checked against Market's practices",
      description:
        'Made on request from the journal and the notification log (both keep the latest entries); reset clears it. ' +
        "?format=junit: one test case per check, failed when it has an error-severity finding. The scenario's report: sets thresholds or turns checks off.",
      result: ReportSchema,
    },
    () => {
      const made = report();
      return { json: made, junit: () => reportJunit(made) };
    },
  );
}
