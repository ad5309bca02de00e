/**
 * Where an answer departs from the contract: a field the document does not have, a required field missing, an enum
 * value it does not list, a type that differs, a status or an error code the operation does not document. Pure:
 * it reads the answer's JSON against the operation's response schemas (the ones the sandbox itself answers with),
 * so it says how Market's real answers differ from the document the sandbox imitates.
 */
import { ERROR_CODES } from './errors.js';
import type { OperationId } from './operations.js';
import { ROUTE_SCHEMAS } from './schemas.js';

export const DEPARTURE_KINDS = ['unknown field', 'missing field', 'enum value', 'type', 'status', 'error code', 'not JSON'] as const;
export type DepartureKind = (typeof DEPARTURE_KINDS)[number];

/** One departure: where in the body (`$.result.chats[0].status`), what kind, and what was found there. */
export interface Departure {
  path: string;
  kind: DepartureKind;
  found: string;
  /** What the document has there, when it says. */
  expected?: string;
}

/** The subset of JSON Schema the contract's schemas are written in (TypeBox's output). */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
}

/** The statuses every operation documents, and each status's error code. */
const DOCUMENTED_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

function fitsType(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Whether `value` fits `schema` with no departure at all (to tell which branch of an anyOf it was meant for). */
const fits = (schema: Schema, value: unknown): boolean => walk(schema, value, '$', []).length === 0;

function walk(schema: Schema, value: unknown, path: string, out: Departure[]): Departure[] {
  if (schema.anyOf) {
    if (schema.anyOf.some((branch) => fits(branch, value))) return out;
    // The branch of the value's type says best what departs (an object where the document has an object or null).
    const branch = schema.anyOf.find((b) => b.type === undefined || fitsType(b.type, value));
    if (branch) return walk(branch, value, path, out);
    out.push({ path, kind: 'type', found: typeOf(value), expected: schema.anyOf.map((b) => b.type ?? 'value').join(' or ') });
    return out;
  }
  if (schema.const !== undefined) {
    if (value !== schema.const) out.push({ path, kind: 'enum value', found: show(value), expected: show(schema.const) });
    return out;
  }
  if (schema.type && !fitsType(schema.type, value)) {
    out.push({ path, kind: 'type', found: typeOf(value), expected: schema.type });
    return out;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push({ path, kind: 'enum value', found: show(value), expected: schema.enum.map(String).join(', ') });
    return out;
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    value.forEach((item, i) => walk(schema.items!, item, `${path}[${i}]`, out));
  }
  if (schema.type === 'object' && schema.properties && value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in record)) out.push({ path: `${path}.${name}`, kind: 'missing field', found: 'nothing' });
    }
    for (const [name, field] of Object.entries(record)) {
      const fieldSchema = schema.properties[name];
      if (fieldSchema) walk(fieldSchema, field, `${path}.${name}`, out);
      else out.push({ path: `${path}.${name}`, kind: 'unknown field', found: show(field) });
    }
  }
  return out;
}

/**
 * The departures of an answer of `operation` from the contract: `status` is the HTTP status, `body` its text. An
 * answer whose status the operation does not document is one departure; its body is then read as the error
 * envelope Market gives for any status.
 */
export function departuresOf(operation: OperationId, status: number, body: string): Departure[] {
  const responses = ROUTE_SCHEMAS[operation].response as Record<number, Schema>;
  const out: Departure[] = [];
  const schema = responses[status] ?? responses[500];
  if (!responses[status]) out.push({ path: '$', kind: 'status', found: String(status), expected: Object.keys(responses).join(', ') });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    out.push({ path: '$', kind: 'not JSON', found: show(body) });
    return out;
  }
  walk(schema, json, '$', out);
  if (status >= 400 && json && typeof json === 'object' && Array.isArray((json as { errors?: unknown }).errors)) {
    (json as { errors: unknown[] }).errors.forEach((error, i) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && !DOCUMENTED_CODES.has(code)) {
        out.push({ path: `$.errors[${i}].code`, kind: 'error code', found: show(code), expected: [...DOCUMENTED_CODES].join(', ') });
      }
    });
  }
  return out;
}

/** A departure in one line: `$.result.chats[0].status: enum value "WAITING" (the document lists NEW, …)`. */
export function describeDeparture({ path, kind, found, expected }: Departure): string {
  if (kind === 'missing field') return `${path}: required field missing`;
  if (kind === 'unknown field') return `${path}: field not in the document (${found})`;
  if (kind === 'status') return `status ${found} not documented for the operation (it documents ${expected})`;
  if (kind === 'not JSON') return `the body is not JSON (${found})`;
  return `${path}: ${kind} ${found}${expected ? ` (the document has ${expected})` : ''}`;
}

/** The same departure wherever it is found: array indexes dropped (`$.result.chats[].status`), for counting once. */
export function departureKey(operation: OperationId, departure: Departure): string {
  const where = `${operation} ${departure.path.replace(/\[\d+\]/g, '[]')} ${departure.kind}`;
  // A field is the same departure whatever it holds; an enum value, a type or a code is one per value found.
  return departure.kind === 'unknown field' || departure.kind === 'missing field' ? where : `${where} ${departure.found}`;
}
