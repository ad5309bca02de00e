/**
 * A --db file checked against the world's schema as it is loaded, so that a file of the wrong shape stops the start
 * naming the path in it, rather than loading and answering 500 later (or a TypeError now).
 */
import type { ErrorObject } from 'ajv';
import { fieldName } from '../contract/field-name.js';
import { WorldDataSchema, type WorldData } from '../model/records.js';
import { compileSchema } from '../model/validator.js';

const validate = compileSchema<WorldData>(WorldDataSchema);

/** The first error, as a path in the file and what it must be. */
function described(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    if (error.instancePath === '/businesses') return `businesses.${key}: is not a business id (decimal digits)`;
    return `${fieldName(error.instancePath, key)}: is not a known key`;
  }
  if (error.keyword === 'required') {
    return `${fieldName(error.instancePath, (error.params as { missingProperty: string }).missingProperty)}: is required`;
  }
  const allowed = error.keyword === 'enum' ? ` (${(error.params.allowedValues as unknown[]).join(', ')})` : '';
  return `${fieldName(error.instancePath) || '(the whole file)'}: ${error.message}${allowed}`;
}

/** What is wrong with `data` as a world, or undefined when it is one. */
export function worldProblem(data: unknown): string | undefined {
  if ((data as { format?: unknown } | null)?.format !== 1) return 'not a sandbox world (expected {"format":1,...})';
  if (!validate(data)) return described(validate.errors![0]);
  for (const [key, business] of Object.entries(data.businesses)) {
    if (business.id !== Number(key)) return `${fieldName(`/businesses/${key}/id`)}: is ${business.id}, not the business it is kept under`;
  }
  return undefined;
}
