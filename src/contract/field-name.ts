/** Where a schema violation is, as a developer reads a field: `/contexts/1/id` → `contexts[1].id`. */

/** The field a JSON pointer names (with `extra` as one more step); '' for the whole document. */
export function fieldName(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
