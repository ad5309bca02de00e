/**
 * JSON bodies as Fastify parses them (prototype poisoning refused), and bounded in depth where they enter: a body
 * nested thousands of levels deep would otherwise be journaled, and break every later read of the journal, the
 * report and the shutdown that writes it.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { fieldName } from '../contract/field-name.js';
import { MAX_JSON_DEPTH, tooDeep } from '../model/json-depth.js';

/** The error for a value nested too deep at `path`: it names the field of the body that holds the nesting. */
function tooDeepError(path: (string | number)[], what = 'body'): ApiError {
  const field = typeof path[0] === 'string' ? fieldName(`/${path[0]}`) : what;
  return new ApiError(400, `${field}: is nested deeper than ${MAX_JSON_DEPTH} levels`);
}

export function registerJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.removeContentTypeParser('application/json');
  app.decorateRequest('rawJson', null);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Kept as it came: a call forwarded to an upstream (--upstream) goes on with these very bytes.
    request.rawJson = body as string;
    void parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const deep = tooDeep(value);
      if (deep) return done(tooDeepError(deep), undefined);
      done(null, value);
    });
  });
}
