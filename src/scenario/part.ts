/**
 * A part of the sandbox, as the runtime drives it: limits, rules and named states, notifications, simulated and
 * scripted buyers, the scenario's policies, and the HTTP side's caches. Every method is optional; each is
 * called on every part in turn, in one order, so that loading a scenario, a reset and a business reset are
 * one loop each.
 */
import type { Scenario } from './schema.js';

export interface Part {
  /** Takes its settings from the scenario being loaded (at start-up, or a later load before its reset). */
  configure?(scenario: Scenario, seed: number): void;
  /** Stops acting, for every business or one: what is under way or waited for is cancelled. */
  stop?(businessId?: number): void;
  /** Back to where the scenario starts it, for every business or one (after the world has been reset). */
  reset?(businessId?: number): void | Promise<void>;
  /** Starts acting, for every business or one (after a reset, a load, or at start-up). */
  start?(businessId?: number): void;
  /** The sandbox is closing: lets go of what it holds. */
  close?(): void | Promise<void>;
}
