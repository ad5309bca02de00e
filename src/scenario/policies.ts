/**
 * What the scenario being played says of the API as a whole: which path spellings are served, whether
 * auth is strict, whether unknown businesses are invented, how answers carry what a later API may add, and
 * how payload links behave. The options the sandbox was started with win over the scenario.
 */
import type { AccessPolicy } from '../auth/access.js';
import type { ForwardCompatibility } from '../contract/forward-compatibility.js';
import type { CallId, OperationId } from '../contract/operations.js';
import { durationMs } from '../model/duration.js';
import type { Scenario } from './schema.js';

export class ScenarioPolicies {
  private playing: Scenario = {};
  private seed = 0;
  private links: { authRequired: boolean; expireAfterMs?: number } = { authRequired: false };

  /** `paths` (--v2-only) wins over every scenario's. */
  constructor(private readonly paths?: 'both' | 'v2-only') {}

  configure(scenario: Scenario, seed: number): void {
    this.playing = scenario;
    this.seed = seed;
    const { files } = scenario;
    this.links = {
      authRequired: files?.auth === 'required',
      expireAfterMs: files?.expireAfter === undefined ? undefined : durationMs(files.expireAfter),
    };
  }

  /** The scenario being played. */
  get scenario(): Scenario {
    return this.playing;
  }

  /** Whether only the /v2 spelling of the paths is served. */
  get v2Only(): boolean {
    return (this.paths ?? this.playing.paths) === 'v2-only';
  }

  /** Strict auth when the scenario asks for it. */
  get access(): AccessPolicy | undefined {
    return this.playing.auth;
  }

  /** Whether unknown businesses, orders and returns are made up (lenient) or are 404s (strict). */
  get invents(): boolean {
    return this.playing.world !== 'strict' && this.playing.auth?.mode !== 'strict';
  }

  /** How payload links are made and checked: whether they need the partner's token, and how soon they expire. */
  get fileLinks(): { authRequired: boolean; expireAfterMs?: number } {
    return this.links;
  }

  /** How answers of `operation` carry what a later API may add; undefined when they do not (the default). */
  forwardCompatibility(operation: CallId | undefined): ForwardCompatibility | undefined {
    const setting = this.playing.forwardCompatibility;
    if (!setting || operation === undefined || (setting.operations && !setting.operations.includes(operation as OperationId)))
      return undefined;
    return { unknownValues: setting.unknownValues ?? 0, extraFields: setting.extraFields ?? false, seed: this.seed };
  }
}
