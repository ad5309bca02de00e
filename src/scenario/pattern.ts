/**
 * The regular expressions a scenario's author writes (a conversation's `matches`), run by RE2 (re2js, its
 * JavaScript port): matching takes time linear in the text, so no pattern, however written, can freeze the
 * sandbox on a partner's message the way a backtracking engine can ('(a+)+$' against 30 a's and a '!').
 */
import { RE2JS } from 're2js';

export interface Pattern {
  test(text: string): boolean;
}

/** The pattern, compiled; throws with RE2's reason when it is not one (lookaround and backreferences are not). */
export function compilePattern(source: string): Pattern {
  const compiled = RE2JS.compile(source);
  return { test: (text) => compiled.matcher(text).find() };
}
