/**
 * Pieces the scenario's schemas, and the control API's, are made of: durations, URLs and named states, with
 * what each pattern means in words, so that every error about them reads the same wherever it comes from.
 */
import { Type } from 'typebox';
import { DURATION_PATTERN, durationText, MAX_DURATION_MS } from '../model/duration.js';

export const URL_PATTERN = '^https?://[^\\s]+$';
/** A business id as a key: decimal digits, no sign or leading zero. */
export const BUSINESS_ID_PATTERN = '^[1-9][0-9]{0,15}$';
/** What HTTP allows: a header's name is a token; its value has no CR, LF or NUL (they would split the answer). */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
export const HEADER_VALUE_PATTERN = '^[^\\r\\n\\u0000]*$';
const NOT_BLANK = '\\S';
/** A percentage from 0% to 100%, as `95%` or `99.5%`. */
export const PERCENT_PATTERN = '^(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)%$';

const PATTERN_MEANINGS: Record<string, string> = {
  [DURATION_PATTERN]: 'must be a duration such as 800ms, 30s, 1m, 1h or 1d',
  [URL_PATTERN]: 'must be an http:// or https:// URL',
  [BUSINESS_ID_PATTERN]: 'must be a business id: a positive integer',
  [HEADER_NAME_PATTERN]: "must be a header name: letters, digits and !#$%&'*+-.^_`|~",
  [HEADER_VALUE_PATTERN]: 'must not contain CR, LF or NUL',
  [NOT_BLANK]: 'must not be blank',
  [PERCENT_PATTERN]: 'must be a percentage from 0% to 100%, such as 95%',
};

/** What a pattern of these schemas asks for, in words; undefined for another pattern. */
export const patternMeaning = (pattern: string): string | undefined => PATTERN_MEANINGS[pattern];

/** A duration, at most `maxMs` (30 days unless said otherwise): every duration has a bound, refused past it. */
export const Duration = (description: string, maxMs = MAX_DURATION_MS) =>
  Type.String({
    pattern: DURATION_PATTERN,
    maxDurationMs: maxMs,
    description: `${description}, e.g. 800ms, 30s, 1m, 1h (at most ${durationText(maxMs)})`,
  });

/** A named state, as WireMock's scenarios have them: any non-blank name. */
export const StateName = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: NOT_BLANK, description });

/** The state every business starts in, and the global state's first value, unless the scenario's `states` says otherwise. */
export const INITIAL_STATE = 'started';
