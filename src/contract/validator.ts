/** One Ajv for the schemas the sandbox checks outside Fastify's routes: scenarios and the partner's answers. */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { TSchema } from 'typebox';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv, ['date-time']);

export function compileSchema<T>(schema: TSchema): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}
