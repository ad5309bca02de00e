/**
 * Every failure leaves in the Yandex envelope with the status Market would use: schema violations,
 * unreadable bodies, unknown paths and methods, and errors thrown by any layer.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorEnvelope } from '../contract/errors.js';
import { callOf, methodsAt, nearestOperation } from '../contract/nearest-operation.js';
import { validationMessage } from './validation-message.js';
import { MULTIPART_LIMIT_MESSAGES } from './multipart.js';

const ENHANCE_YOUR_CALM = 'Enhance Your Calm';

/** Fastify's and its plugins' own errors, put in Market's terms. */
function describe(error: FastifyError & { validationContext?: string }, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation?.length) return new ApiError(400, validationMessage(error.validation[0], error.validationContext));
  // JSON is read before the route is asked what it takes: a route that takes none is told so, whatever the JSON was.
  const takesJson = request.routeOptions.schema?.consumes?.includes('application/json') ?? true;
  if (!takesJson && (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')) {
    return unsupportedMediaType(request);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return unsupportedMediaType(request);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'body: is empty; send a JSON object (it may be {})');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, `body: is not valid JSON (${error.message})`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body: is too large');
  }
  const limit = Object.hasOwn(MULTIPART_LIMIT_MESSAGES, error.code) ? MULTIPART_LIMIT_MESSAGES[error.code] : undefined;
  if (limit) return new ApiError(413, limit);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, error.message);
  return new ApiError(500, 'Internal error of the sandbox; see its log');
}

/** A 404 for a path that is no operation, naming the operation most probably meant. */
export function unknownPath(method: string, path: string, why = ''): ApiError {
  const meant = nearestOperation(method, path);
  const hint = meant ? `; did you mean ${meant}: ${callOf(meant)}` : '; the operations are listed at /docs';
  return new ApiError(404, `path: no operation at ${method} ${path}${why}${hint}`);
}

/** A 415 naming what the route accepts. */
export function unsupportedMediaType(request: FastifyRequest): ApiError {
  const expected = request.routeOptions.schema?.consumes?.join(' or ') ?? 'application/json';
  const sent = request.headers['content-type'] ?? 'none';
  return new ApiError(415, `Content-Type: ${sent} is not accepted here; send ${expected}`);
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.statusCode === 420) reply.raw.statusMessage = ENHANCE_YOUR_CALM;
  return reply
    .code(error.statusCode)
    .headers(error.headers)
    .send(errorEnvelope(error.statusCode, error.message, error.code));
}

/** Errors of Fastify's router, met before any route or error handler: a path that does not decode, or too long a part. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendError(
    reply,
    tooLong
      ? new ApiError(414, 'path: a part of the path is longer than 100 characters')
      : new ApiError(400, 'path: is not a valid URL path'),
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = describe(error, request);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, apiError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const methods = methodsAt(path);
    if (methods) {
      reply.header('allow', methods.join(', '));
      return sendError(reply, new ApiError(405, `method: ${request.method} is not allowed on ${path}; use ${methods.join(' or ')}`));
    }
    return sendError(reply, unknownPath(request.method, path));
  });
}
