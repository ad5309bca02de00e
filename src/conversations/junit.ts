/** Conversations as JUnit: one test case per conversation, its failure's reason in it, so any CI shows them. */
import type { JunitSuite } from '../model/junit.js';
import type { Verdict } from './conversations.js';

export function conversationsSuite(verdicts: Verdict[]): JunitSuite {
  return {
    name: 'conversations',
    classname: 'conversations',
    cases: verdicts.map((verdict) => {
      const steps = verdict.steps.map((s) => `${s.step} ${s.kind} ${s.outcome}: ${s.detail}`).join('\n');
      const name = verdict.name;
      switch (verdict.state) {
        case 'passed':
          return { name, output: steps };
        case 'failed':
          return { name, failure: { message: verdict.reason ?? 'failed', type: 'conversation', text: steps } };
        case 'running':
          return { name, failure: { message: 'did not finish before the report was made', type: 'conversation', text: steps } };
        case 'waiting':
          return { name, skipped: 'never started: what starts it did not happen' };
      }
    }),
  };
}
