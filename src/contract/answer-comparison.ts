/**
 * How two answers to the same call differ (the drift check: the upstream's, and a fresh sandbox's): status, the
 * fields each has, the upstream's departures from the contract, error codes and messages, the request-limit headers.
 * Pure: answers in, differences out, each marked with whether a client relies on it.
 */
import { departuresOf, describeDeparture } from './conformance.js';
import type { OperationId } from './operations.js';

export interface ObservedAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export type DifferenceKind = 'status' | 'field' | 'departure' | 'error code' | 'error message' | 'header' | 'limit';

export interface Difference {
  /** Which call of the check: `getChats, page 1`, `getChat, an unknown chat`. */
  step: string;
  operation: OperationId;
  kind: DifferenceKind;
  /** Where, for a field or a departure: `$.result.chats[].context.campaignId`. */
  path?: string;
  upstream: string;
  sandbox: string;
  /**
   * Whether code that works against one may break against the other: statuses, departures from the document,
   * error codes and the limit headers are; the wording of an error, the size of a quota, and an optional field
   * one world's data has and the other's not (both may send it) are told, not counted.
   */
  reliedOn: boolean;
}

const LIMIT_HEADERS = ['x-ratelimit-resource-limit', 'x-ratelimit-resource-remaining', 'x-ratelimit-resource-until'];

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Every path a JSON value has, array items merged (`$.result.chats[].status`). */
export function fieldPaths(value: unknown, path = '$', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) fieldPaths(item, `${path}[]`, into);
  } else if (value && typeof value === 'object') {
    for (const [key, field] of Object.entries(value)) {
      into.add(`${path}.${key}`);
      fieldPaths(field, `${path}.${key}`, into);
    }
  }
  return into;
}

const firstError = (json: unknown): { code?: string; message?: string } | undefined => {
  const errors = (json as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? (errors[0] as { code?: string; message?: string }) : undefined;
};

/** The differences between the upstream's answer and the sandbox's to one call. */
export function compareAnswers(step: string, operation: OperationId, upstream: ObservedAnswer, sandbox: ObservedAnswer): Difference[] {
  const out: Difference[] = [];
  const add = (kind: DifferenceKind, upstreamHas: string, sandboxHas: string, reliedOn: boolean, path?: string) =>
    out.push({ step, operation, kind, ...(path ? { path } : {}), upstream: upstreamHas, sandbox: sandboxHas, reliedOn });
  if (upstream.status !== sandbox.status) add('status', String(upstream.status), String(sandbox.status), true);
  for (const departure of departuresOf(operation, upstream.status, upstream.body)) {
    add('departure', describeDeparture(departure), 'as documented', true, departure.path.replace(/\[\d+\]/g, '[]'));
  }
  const upstreamJson = parsed(upstream.body);
  const sandboxJson = parsed(sandbox.body);
  // Fields are compared where both answered alike: an error's fields say nothing of a success's. Which optional
  // fields an answer has depends on its data (a message with files, a last page); a field outside the document
  // is a departure above.
  if (upstream.status === sandbox.status) {
    const theirs = fieldPaths(upstreamJson);
    const ours = fieldPaths(sandboxJson);
    for (const path of theirs) if (!ours.has(path)) add('field', 'has it', 'not in its answer', false, path);
    for (const path of ours) if (!theirs.has(path)) add('field', 'not in its answer', 'has it', false, path);
  }
  const [theirError, ourError] = [firstError(upstreamJson), firstError(sandboxJson)];
  if (upstream.status >= 400 && sandbox.status >= 400) {
    if (theirError?.code !== ourError?.code) add('error code', String(theirError?.code), String(ourError?.code), true);
    if (theirError?.message !== ourError?.message) add('error message', String(theirError?.message), String(ourError?.message), false);
  }
  for (const name of LIMIT_HEADERS) {
    const [theirs, ours] = [upstream.headers[name], sandbox.headers[name]];
    if ((theirs === undefined) !== (ours === undefined)) add('header', theirs ?? 'absent', ours ?? 'absent', true, name);
  }
  const [theirLimit, ourLimit] = [upstream.headers[LIMIT_HEADERS[0]], sandbox.headers[LIMIT_HEADERS[0]]];
  if (theirLimit !== undefined && ourLimit !== undefined && theirLimit !== ourLimit)
    add('limit', theirLimit, ourLimit, false, LIMIT_HEADERS[0]);
  return out;
}
