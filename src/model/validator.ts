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

/** A validator as Ajv makes them: called with the data (and, by Fastify, its parent), its errors on it after. */
export type LazyValidator = ((data: unknown, context?: never) => boolean) & { errors?: ValidateFunction['errors'] };

/** Compiles on its first call, not before; its errors are those of the call just made. */
export function compiledOnFirstCall<V extends LazyValidator>(compile: () => V): V {
  let validate: V | undefined;
  const lazy = ((data: unknown, context?: never) => {
    validate ??= compile();
    const valid = validate(data, context);
    lazy.errors = validate.errors;
    return valid;
  }) as V;
  return lazy;
}

/** A validator compiled on its first use: compiling costs start-up time, and many runs never need one. */
export function compileSchema<T>(schema: TSchema): ValidateFunction<T> {
  return compiledOnFirstCall(() => ajv.compile<T>(schema));
}
