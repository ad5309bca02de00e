/** The sandbox's own OpenAPI document, generated from the route schemas, and Swagger UI over it. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { MULTIPART_DOC } from '../contract/schemas.js';
import { API_TAG, CONTROL_TAG } from '../contract/tags.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IN_BINARY, packageFolderOnDisk, packageVersion } from '../package-root.js';
import { marketDocument, type OpenApiDocument } from './openapi-document.js';

declare module 'fastify' {
  interface FastifySchema {
    /** A multipart body's description for the OpenAPI document (see MULTIPART_DOC). */
    [MULTIPART_DOC]?: unknown;
  }
}

type RouteSchema = Record<string, unknown> & { body?: { content?: Record<string, unknown> } };

/** Puts a route's multipart body description where the OpenAPI document has request bodies. */
function withMultipartBody(schema: RouteSchema): RouteSchema {
  const { [MULTIPART_DOC]: multipart, ...rest } = schema;
  if (!multipart) return schema;
  // A route that also takes JSON lists both media types; one that takes only multipart has it as its body.
  if (!rest.body?.content) return { ...rest, body: multipart };
  return { ...rest, body: { content: { ...rest.body.content, 'multipart/form-data': { schema: multipart } } } };
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Yandex Market chats sandbox',
        version: packageVersion(),
        description:
          'A local, stateful imitation of the chat methods of the Yandex Market partner API. Every operation ' +
          'is served under /v2/businesses/… and the older unprefixed /businesses/… (deprecated: Market is switching them off). ' +
          'Every answer of an operation carries X-RateLimit-Resource-Limit, -Remaining and -Until (an HTTP date).',
      },
      tags: [
        { name: API_TAG, description: 'The chat operations of the Market partner API' },
        { name: CONTROL_TAG, description: 'Control of the sandbox itself: no partner token needed' },
      ],
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'Api-Key' },
          OAuth: { type: 'http', scheme: 'bearer', description: 'Bearer <token>, or OAuth oauth_token="…"' },
        },
      },
    },
    transform: ({ schema, url }) => ({ schema: schema && (withMultipartBody(schema as RouteSchema) as typeof schema), url }),
    // Only an OpenAPI document is made here (no Swagger 2): what the route schemas cannot say is added to it.
    transformObject: (made) => marketDocument(('openapiObject' in made ? made.openapiObject : made.swaggerObject) as OpenApiDocument),
  });
  // Swagger UI is bundled into the program, its files are not: they are in its package, or, in the binary, among
  // its assets, written out to a folder of the user's own (a plugin serves them from a folder).
  const baseDir = IN_BINARY
    ? packageFolderOnDisk('swagger-ui')
    : join(dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')), 'static');
  if (baseDir) {
    const logo = { type: 'image/svg+xml', content: readFileSync(join(baseDir, 'logo.svg')) };
    await app.register(swaggerUi, { routePrefix: '/docs', baseDir, logo });
  } else {
    // An unusable temporary folder costs the docs page, never the sandbox: the API and the console do not need it.
    app.get('/docs', { schema: { hide: true } }, async () => {
      throw new ApiError(
        503,
        "docs: Swagger UI's files could not be written to a folder of this user's under TMPDIR; the OpenAPI document is at /openapi.json",
      );
    });
  }
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
