/** The traffic run: how it goes (GET, as JSON or JUnit XML), and starting and stopping it. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { Ok } from '../contract/schemas.js';
import { CONTROL_TAG } from '../contract/tags.js';
import { junitDocument } from '../model/junit.js';
import { checkTraffic, ScenarioError } from '../scenario/load.js';
import { trafficSuite } from '../traffic/junit.js';
import { TrafficReportSchema } from '../traffic/measure.js';
import type { Traffic } from '../traffic/traffic.js';
import { verdictRoute } from './verdict-route.js';

const isEmptyObject = (body: unknown) => typeof body === 'object' && !Array.isArray(body) && Object.keys(body as object).length === 0;

export function trafficRoutes(app: FastifyInstance, traffic: Pick<Traffic, 'report' | 'startRun' | 'stopRun'>): void {
  verdictRoute(
    app,
    '/__sandbox/traffic',
    {
      summary:
        "The traffic run: buyers, answers and answer times, pushes, the partner's calls and quotas, per interval and in all, and the verdict",
      description: '?format=junit: one test case, failed with the thresholds missed. See docs/traffic.md.',
      result: TrafficReportSchema,
    },
    () => {
      const report = traffic.report();
      return { json: report, junit: () => junitDocument([trafficSuite(report)]) };
    },
  );
  const schema = { tags: [CONTROL_TAG], response: { 200: Ok(TrafficReportSchema) } };
  app.post(
    '/__sandbox/traffic/start',
    {
      schema: {
        ...schema,
        summary: "Plays the scenario's traffic afresh (no body, or {}), or the body's (a traffic section, as in a scenario)",
        description: 'An invalid body is a 400 naming the field; a run under way is a 409 (stop it first).',
      },
    },
    async (request) => {
      let spec;
      try {
        const given = request.body !== undefined && request.body !== null && !isEmptyObject(request.body);
        spec = given ? checkTraffic(request.body, 'traffic') : undefined;
      } catch (error) {
        if (error instanceof ScenarioError) throw new ApiError(400, error.message);
        throw error;
      }
      return { status: 'OK' as const, result: traffic.startRun(spec) };
    },
  );
  app.post(
    '/__sandbox/traffic/stop',
    { schema: { ...schema, summary: 'Ends the traffic run under way: no buyer arrives or writes any more; the verdict is given' } },
    async () => ({ status: 'OK' as const, result: traffic.stopRun() }),
  );
}
