/** The sandbox's own OpenAPI document, generated from the route schemas, and Swagger UI over it. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { CONTROL_TAG } from '../control/routes.js';
import { PACKAGE_VERSION } from '../package-root.js';
import { API_TAG } from '../routes/api-route.js';

/** Multipart bodies are read by the handler, not validated by a schema, so they are documented here. */
const MULTIPART_FILE_BODY = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', format: 'binary', description: 'The file, at most 5 MB' } },
};

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Yandex Market chats sandbox',
        version: PACKAGE_VERSION,
        description:
          'A local, stateful imitation of the chat methods of the Yandex Market partner API. Every operation ' +
          'is served under /v2/businesses/… and the older unprefixed /businesses/….',
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
    transform: ({ schema, url }) => {
      const consumes = (schema as { consumes?: string[] } | undefined)?.consumes;
      if (!consumes?.includes('multipart/form-data')) return { schema, url };
      return { schema: { ...schema, body: MULTIPART_FILE_BODY }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
