/**
 * The web console: `GET /` from a browser leads to it, and its few files are served from the package
 * (dist/console, built by `npm run build`), so it works offline. It speaks only the documented control API.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ApiError } from '../contract/errors.js';
import { readPackageFile } from '../package-root.js';

export const CONSOLE_PATH = '/__sandbox/console/';

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'uplot.css': 'text/css; charset=utf-8',
};

const AssetParams = Type.Object({ asset: Type.String({ maxLength: 100 }) });

export function consoleRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, (request, reply) => {
    // API clients asking for / keep getting the JSON 404 that names the operations.
    if (request.headers.accept?.includes('text/html')) return reply.redirect(CONSOLE_PATH);
    reply.callNotFound();
    return reply;
  });

  app.get<{ Params: Static<typeof AssetParams> }>(
    `${CONSOLE_PATH}:asset`,
    { schema: { hide: true, params: AssetParams }, config: { controlAccess: 'open' } },
    async (request, reply) => {
      const asset = request.params.asset || 'index.html';
      // Own keys only: `constructor` or `__proto__` is no asset of the console.
      const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
      if (!type) throw new ApiError(404, `asset: the console has no file ${asset}`);
      let content: Buffer;
      try {
        content = readPackageFile('dist', 'console', asset);
      } catch {
        throw new ApiError(503, 'asset: the console is not built; run npm run build');
      }
      return reply.type(type).header('cache-control', 'no-cache').send(content);
    },
  );
}
