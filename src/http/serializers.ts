/**
 * Response serializers compiled by fast-json-stringify once per schema rather than once per route and
 * status: every operation shares the error envelope, and both path spellings share every schema. This
 * takes a large part of start-up away.
 */
import fastJson from 'fast-json-stringify';

type Serializer = (data: unknown) => string;

const compiled = new WeakMap<object, Serializer>();

export function sharedSerializerCompiler({ schema }: { schema: object }): Serializer {
  let serializer = compiled.get(schema);
  if (!serializer) {
    serializer = fastJson(schema) as Serializer;
    compiled.set(schema, serializer);
  }
  return serializer;
}
