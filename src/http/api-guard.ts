/**
 * What stands between a call and its handler: the path's spelling (v2-only), credentials and access, then
 * Market's request limits. One callback hook for all of them: it runs on every call.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { checkAccess, type AccessPolicy } from '../auth/access.js';
import { readCredentials } from '../auth/credentials.js';
import { ApiError } from '../contract/errors.js';
import type { OperationId } from '../contract/operations.js';
import { formatHttpDate, SECOND } from '../model/time.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import { describeWindow } from '../limits/windows.js';
import { unknownPath } from './error-handling.js';
import { businessIdOf } from './request-ids.js';

/** What the guard reads at each call (loading a scenario replaces the policies and the limiter). */
export interface GuardSources {
  policies: { readonly access: AccessPolicy | undefined; readonly v2Only: boolean };
  limits: { readonly limiter: RateLimiter | undefined };
  clock: { now(): number };
}

/**
 * In proxy mode a forwarded call meets Market's credentials and limits, not the sandbox's; a write held back is
 * checked for credentials as Market would, and spends no quota (Market's counters are not the sandbox's to know).
 */
export interface ProxyMode {
  forwards(operation: OperationId): boolean;
}

export function apiGuard({ policies, limits, clock }: GuardSources, proxy?: ProxyMode) {
  // Every call of a window reports the same reset time: the last one formatted is kept. An HTTP date has whole
  // seconds: the next one is given, so that a client waiting until the time it reads finds the quota whole.
  let until = { ms: NaN, text: '' };
  const untilText = (ms: number) => {
    if (until.ms !== ms) until = { ms, text: formatHttpDate(Math.ceil(ms / SECOND) * SECOND) };
    return until.text;
  };

  function check(request: FastifyRequest, reply: FastifyReply): void {
    if (policies.v2Only && !request.routeOptions.url?.startsWith('/v2/')) {
      throw unknownPath(request.method, request.url.split('?')[0], ' (the sandbox serves only /v2 paths: paths v2-only)');
    }
    const operation = request.routeOptions.config.operationId as OperationId;
    if (proxy?.forwards(operation)) return;
    const { token } = readCredentials(request.headers);
    const businessId = businessIdOf(request);
    checkAccess(policies.access, token, businessId, operation);
    const limiter = proxy ? undefined : limits.limiter;
    if (!limiter || businessId === undefined) return;

    const leave = limiter.enter(businessId);
    if (!leave) {
      throw new ApiError(420, `Hit rate limit of ${limiter.parallel} parallel requests for business ${businessId}`);
    }
    reply.raw.once('close', leave);

    const quota = limiter.take(businessId, operation, clock.now());
    if (!quota) return;
    const headers = {
      'X-RateLimit-Resource-Limit': String(quota.limit),
      'X-RateLimit-Resource-Remaining': String(quota.remaining),
      'X-RateLimit-Resource-Until': untilText(quota.resetsAt),
    };
    if (quota.allowed) {
      reply.headers(headers);
      return;
    }
    const window = describeWindow(limiter.quota(operation)!.windowMs);
    throw new ApiError(
      420,
      `Hit rate limit of ${quota.limit} requests per ${window} for ${operation} of business ${businessId}; ` +
        `the quota renews at ${headers['X-RateLimit-Resource-Until']}`,
      headers,
    );
  }

  // A callback hook rather than an async one: it runs on every call, and a promise each is a cost worth avoiding.
  return function guard(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    try {
      check(request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
}
