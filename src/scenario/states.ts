/**
 * Named states, as WireMock's scenarios have them: each business is in a state (per business by default) and
 * there is one global state. Rules match and set them; tests read and set them; reset returns to the start.
 */
import { Type, type Static } from 'typebox';
import type { Scenario } from './schema.js';
import { INITIAL_STATE } from './schema-parts.js';

/** The named states now (GET /__sandbox/state and sandbox.states() give it; the type is made from it). */
export const StatesNowSchema = Type.Object({
  global: Type.String({ description: 'The global state (match.globalState)' }),
  initial: Type.String({ description: 'The state businesses are in unless set otherwise' }),
  businesses: Type.Record(Type.String(), Type.String(), { description: 'Businesses in another state than the initial one, by id' }),
});
export type StatesNow = Static<typeof StatesNowSchema>;

export class NamedStates {
  private global = INITIAL_STATE;
  private readonly businesses = new Map<number, string>();

  constructor(private readonly start: NonNullable<Scenario['states']> = {}) {
    this.reset();
  }

  private get initial(): string {
    return this.start.initial ?? INITIAL_STATE;
  }

  of(businessId: number | undefined): string | undefined {
    return businessId === undefined ? undefined : (this.businesses.get(businessId) ?? this.initial);
  }

  get globalState(): string {
    return this.global;
  }

  /** Sets a business's state, or the global one when no business is named. */
  set(businessId: number | undefined, state: string): void {
    if (businessId === undefined) this.global = state;
    else this.businesses.set(businessId, state);
  }

  now(): StatesNow {
    const differing = [...this.businesses].filter(([, state]) => state !== this.initial);
    return { global: this.global, initial: this.initial, businesses: Object.fromEntries(differing) };
  }

  /** Every state back to where the scenario starts it. */
  reset(): void {
    this.global = this.start.global ?? INITIAL_STATE;
    this.businesses.clear();
    for (const [id, state] of Object.entries(this.start.businesses ?? {})) this.businesses.set(Number(id), state);
  }

  /** One business's state back to where the scenario starts it. */
  resetBusiness(businessId: number): void {
    const state = this.start.businesses?.[String(businessId)];
    if (state === undefined) this.businesses.delete(businessId);
    else this.businesses.set(businessId, state);
  }
}
