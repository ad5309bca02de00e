/** One Ajv for the schemas the sandbox checks outside Fastify's routes: scenarios and the partner's answers. */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { TSchema } from 'typebox';
import { maxDurationKeyword } from './duration.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

// Without Ajv's optimizing pass a scenario's schema compiles in half the time (the first scenario a process
// loads waits on it), and its checks run about as fast: these validators do not run on every call.
const ajv = new Ajv({ allErrors: true, strict: false, code: { optimize: false } });
addFormats(ajv, ['date-time']);
ajv.addKeyword(maxDurationKeyword);

/** A validator compiled on its first use: compiling costs start-up time, and many runs never need one. */
export function compileSchema<T>(schema: TSchema): ValidateFunction<T> {
  let validate: ValidateFunction<T> | undefined;
  const lazy = ((data: unknown) => {
    validate ??= ajv.compile<T>(schema);
    const valid = validate(data);
    lazy.errors = validate.errors;
    return valid;
  }) as ValidateFunction<T>;
  return lazy;
}
