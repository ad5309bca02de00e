/** Turns a schema violation into a message that names the field, as a client's developer wants to read it. */
import { fieldName } from '../contract/field-name.js';
import { patternMeaning } from '../scenario/schema-parts.js';

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

export function validationMessage(issue: ValidationIssue, part: string | undefined): string {
  const where = PART_NAMES[part ?? ''] ?? 'request';
  if (issue.keyword === 'required') {
    const parent = fieldName(issue.instancePath);
    const missing = String(issue.params.missingProperty);
    return `${parent ? `${parent}.` : ''}${missing}: is required${parent ? '' : ` in the ${where}`}`;
  }
  const field = fieldName(issue.instancePath) || where;
  if (issue.keyword === 'enum') {
    return `${field}: must be one of ${(issue.params.allowedValues as string[]).join(', ')}`;
  }
  if (issue.keyword === 'uniqueItems') return `${field}: must not contain the same item twice`;
  const meaning = issue.keyword === 'pattern' ? patternMeaning(String(issue.params.pattern)) : undefined;
  if (meaning) return `${field}: ${meaning}`;
  return `${field}: ${issue.message ?? 'is invalid'}`;
}
