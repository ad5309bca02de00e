/**
 * Response serializers compiled by fast-json-stringify once per schema rather than once per route and
 * status: every operation shares the error envelope, and both path spellings share every schema. This
 * takes a large part of start-up away.
 */
import fastJson from 'fast-json-stringify';

type Serializer = (data: unknown) => string;

const compiled = new WeakMap<object, Serializer>();

/** The schema's serializer, compiled on its first use: start-up compiles none (most runs use a few). */
export function sharedSerializerCompiler({ schema }: { schema: object }): Serializer {
  let serializer = compiled.get(schema);
  if (!serializer) {
    let made: Serializer | undefined;
    serializer = (data) => (made ??= fastJson(schema) as Serializer)(data);
    compiled.set(schema, serializer);
  }
  return serializer;
}
