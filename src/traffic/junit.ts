/** A traffic run as JUnit: one test case, failed with the thresholds it missed, so any CI shows it. */
import type { JunitSuite } from '../model/junit.js';
import type { TrafficReport } from './measure.js';

export function trafficSuite(report: TrafficReport): JunitSuite {
  const figures =
    `${report.chats} chats, ${report.buyerMessages} buyer messages, ${report.answered} answered, ${report.gaveUp} buyers gave up; ` +
    `answer time p50 ${report.answerTimeMs.p50} ms, p95 ${report.answerTimeMs.p95} ms, p99 ${report.answerTimeMs.p99} ms`;
  const name = 'traffic';
  const cases =
    report.state === 'none'
      ? []
      : [
          report.verdict.state === 'passed'
            ? { name, output: figures }
            : report.verdict.state === 'failed'
              ? { name, failure: { message: report.verdict.reasons.join('; '), type: 'traffic', text: figures } }
              : { name, failure: { message: `the run has not ended (${report.state})`, type: 'traffic', text: figures } },
        ];
  return { name: 'traffic', classname: 'traffic', cases };
}
