/**
 * Pieces the scenario's schemas, and the control API's, are made of: durations, URLs and named states, with
 * what each pattern means in words, so that every error about them reads the same wherever it comes from.
 */
import { Type } from 'typebox';
import { DURATION_PATTERN } from '../model/duration.js';

export const URL_PATTERN = '^https?://[^\\s]+$';
const NOT_BLANK = '\\S';

const PATTERN_MEANINGS: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as 800ms, 30s, 1m, 1h or 1d',
  [URL_PATTERN]: 'must be an http:// or https:// URL',
  [NOT_BLANK]: 'must not be blank',
};

/** What a pattern of these schemas asks for, in words; undefined for another pattern. */
export const patternMeaning = (pattern: string): string | undefined => PATTERN_MEANINGS[pattern];

export const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, description: `${description}, e.g. 800ms, 30s, 1m, 1h` });

/** A named state, as WireMock's scenarios have them: any non-blank name. */
export const StateName = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK, description });

/** The state every business starts in, and the global state's first value, unless the scenario's `states` says otherwise. */
export const INITIAL_STATE = 'started';
