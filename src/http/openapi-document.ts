/**
 * What the route schemas cannot say in the OpenAPI document, added once it is made: Market's rate-limit headers
 * on every answer of the partner API, the unprefixed paths deprecated and listed after their /v2 twins, and an
 * operationId for every operation that names none.
 */
import { API_TAG } from '../contract/tags.js';

interface Operation {
  tags?: string[];
  operationId?: string;
  deprecated?: boolean;
  responses?: Record<string, { headers?: Record<string, unknown> }>;
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
}

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Resource-Limit': {
    description: "The operation's quota for the business: requests allowed per window (Market's: per hour)",
    schema: { type: 'integer' },
  },
  'X-RateLimit-Resource-Remaining': { description: 'What is left of the quota in the window', schema: { type: 'integer' } },
  'X-RateLimit-Resource-Until': {
    description:
      'When the window closes and the quota is whole again: an HTTP date (RFC 7231, e.g. Thu, 10 Jul 2018 00:42:42 GMT), ' +
      'not ISO 8601. After a 420, wait until then. JavaScript: new Date(value); Python: email.utils.parsedate_to_datetime(value)',
    schema: { type: 'string', example: 'Thu, 10 Jul 2018 00:42:42 GMT' },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `POST /__sandbox/businesses/{businessId}/reset` → `postSandboxBusinessesByBusinessIdReset`. */
function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .flatMap((part) => (part.startsWith('{') ? ['by', part.slice(1, -1)] : part.replace(/^__/, '').split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

export function marketDocument<T extends OpenApiDocument>(document: T): T {
  const paths = document.paths ?? {};
  const v2First = Object.keys(paths).sort((a, b) => Number(!a.startsWith('/v2/')) - Number(!b.startsWith('/v2/')));
  const ordered: Record<string, Record<string, Operation>> = {};
  for (const path of v2First) {
    ordered[path] = paths[path];
    for (const [method, operation] of Object.entries(paths[path])) {
      if (!METHODS.includes(method)) continue;
      operation.operationId ??= operationIdOf(method, path);
      if (!operation.tags?.includes(API_TAG)) continue;
      if (!path.startsWith('/v2/')) operation.deprecated = true;
      for (const response of Object.values(operation.responses ?? {})) response.headers = { ...response.headers, ...RATE_LIMIT_HEADERS };
    }
  }
  return { ...document, paths: ordered };
}
