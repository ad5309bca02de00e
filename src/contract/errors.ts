/** The Yandex error envelope and the error the whole sandbox throws to produce one. */

export const ERROR_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'BAD_REQUEST',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  420: 'HIT_RATE_LIMIT',
  423: 'LOCKED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

export function errorCodeFor(status: number): string {
  return ERROR_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

export interface ErrorEnvelope {
  status: 'ERROR';
  errors: { code: string; message?: string }[];
}

export function errorEnvelope(status: number, message: string, code = errorCodeFor(status)): ErrorEnvelope {
  return { status: 'ERROR', errors: [{ code, message }] };
}

/** An error with the HTTP status and message a client should see; thrown by any layer. */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.code = errorCodeFor(statusCode);
    this.headers = headers;
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = (message: string) => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
