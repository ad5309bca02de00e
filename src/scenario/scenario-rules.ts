/**
 * The scenario's rules and named states as a part of the sandbox: which rule applies to a call, the states
 * rules match and set, and the delays rules draw (from the seed, so that a run repeats). Reset rearms the
 * rules and puts the states back; a business reset puts back only that business's state (rules count the
 * calls of every business, so they are not rearmed).
 */
import { between, seededRandom } from '../model/random.js';
import { RuleBook, type AppliedRule, type CallFacts } from './rules.js';
import { delayRange, type Scenario } from './schema.js';
import { NamedStates, type StatesNow } from './states.js';

/** A rule that applies, with the delay drawn for this call (real time: it imitates the network). */
export interface RuleToPlay extends AppliedRule {
  delayMs: number;
}

export class ScenarioRules {
  private book = new RuleBook();
  private states = new NamedStates();
  private seed = 0;
  private random = seededRandom(0);

  configure(scenario: Scenario, seed: number): void {
    this.book = new RuleBook(scenario.rules);
    this.states = new NamedStates(scenario.states);
    this.seed = seed;
    this.random = seededRandom(seed);
  }

  reset(businessId?: number): void {
    if (businessId !== undefined) {
      this.states.resetBusiness(businessId);
      return;
    }
    this.book.reset();
    this.states.reset();
    this.random = seededRandom(this.seed);
  }

  /** Whether the scenario has rules at all: most have none, and then no call's facts are gathered. */
  get hasRules(): boolean {
    return !this.book.empty;
  }

  /** The rule that applies to a call, if any (it counts as matched, and sets the states it names). */
  apply(call: CallFacts): RuleToPlay | undefined {
    const applied = this.book.apply(call, this.states);
    if (!applied) return undefined;
    const delay = applied.rule.delay;
    if (delay === undefined) return { ...applied, delayMs: 0 };
    const { minMs, maxMs } = delayRange(delay);
    return { ...applied, delayMs: between(this.random, minMs, maxMs) };
  }

  /** The state a business is in (rules match it), or undefined for a call that names no business. */
  stateOf(businessId: number | undefined): string | undefined {
    return this.states.of(businessId);
  }

  statesNow(): StatesNow {
    return this.states.now();
  }

  /** Sets a business's state, or the global state when no business is named. */
  setState(businessId: number | undefined, state: string): void {
    this.states.set(businessId, state);
  }
}
