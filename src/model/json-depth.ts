/**
 * How deep a JSON value nests, measured without recursion: a body or a scenario nested thousands of levels
 * deep would break whatever later walks it recursively (JSON.stringify, YAML, the report), so depth is bounded
 * where input enters.
 */

/** The deepest nesting accepted: far beyond any of Market's bodies or any scenario, far below any stack's limit. */
export const MAX_JSON_DEPTH = 100;

/** The path (keys and indexes) to the first value nested deeper than `limit`, or undefined when none is. */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (path.length >= limit) return path;
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, path: [...path, Array.isArray(node) ? Number(key) : key] });
    }
  }
  return undefined;
}
