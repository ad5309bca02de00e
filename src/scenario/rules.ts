/** Which scenario rule applies to a call: pure matching and counting, with no HTTP in it. */
import type { Rule } from './schema.js';
import type { NamedStates } from './states.js';

/** What rules may look at in a call. */
export interface CallFacts {
  operation?: string;
  method: string;
  /** Path without the query and without the /v2 prefix. */
  path: string;
  businessId?: number;
  chatId?: number;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** True when `actual` holds everything `expected` says; objects compare key by key, the rest exactly. */
export function containsSubset(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => containsSubset(actual[i], e));
  }
  return Object.entries(expected).every(
    ([key, value]) => Object.prototype.hasOwnProperty.call(actual, key) && containsSubset((actual as Record<string, unknown>)[key], value),
  );
}

export function ruleMatches(rule: Rule, call: CallFacts, states?: NamedStates): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.state !== undefined && m.state !== states?.of(call.businessId)) return false;
  if (m.globalState !== undefined && m.globalState !== states?.globalState) return false;
  if (m.operation !== undefined && !([m.operation].flat() as string[]).includes(call.operation ?? '')) return false;
  if (m.method !== undefined && m.method !== call.method) return false;
  if (m.path !== undefined && m.path.replace(/^\/v2(?=\/)/, '') !== call.path) return false;
  if (m.businessId !== undefined && m.businessId !== call.businessId) return false;
  if (m.chatId !== undefined && m.chatId !== call.chatId) return false;
  if (m.query && !Object.entries(m.query).every(([k, v]) => String(call.query[k]) === v)) return false;
  if (m.body && !containsSubset(call.body, m.body)) return false;
  if (m.headers && !Object.entries(m.headers).every(([k, v]) => call.headers[k.toLowerCase()] === v)) return false;
  return true;
}

export interface AppliedRule {
  index: number;
  rule: Rule;
}

/** A rule that does nothing to the call but set states: the call goes on to the next rules. */
const onlySetsStates = (rule: Rule) =>
  (rule.setState !== undefined || rule.setGlobalState !== undefined) && !rule.respond && !rule.delay && !rule.fault;

/**
 * The ordered rules with how many calls each has matched; the first rule that matches and is armed applies,
 * and sets the states it names. A rule that only sets states lets the call go on to the next rules, which
 * see the states as it left them.
 */
export class RuleBook {
  private readonly rules: Rule[];
  private readonly seen: number[];

  constructor(rules: Rule[] = []) {
    this.rules = rules;
    this.seen = rules.map(() => 0);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  apply(call: CallFacts, states: NamedStates): AppliedRule | undefined {
    for (let index = 0; index < this.rules.length; index++) {
      const rule = this.rules[index];
      if (!ruleMatches(rule, call, states)) continue;
      const nth = this.seen[index]++;
      const after = rule.after ?? 0;
      if (nth < after) continue;
      if (rule.times !== undefined && nth >= after + rule.times) continue;
      // A call without a business (none in its path) has no business state to set.
      if (rule.setState !== undefined && call.businessId !== undefined) states.set(call.businessId, rule.setState);
      if (rule.setGlobalState !== undefined) states.set(undefined, rule.setGlobalState);
      if (onlySetsStates(rule)) continue;
      return { index, rule };
    }
    return undefined;
  }

  /** Rearms every rule. */
  reset(): void {
    this.seen.fill(0);
  }
}
