/**
 * The bytes behind payload URLs, as Market's file host serves them: journaled, and open to scenario rules
 * (`match: { operation: downloadFile }`) like any call; with the scenario's `files`, links need the
 * partner's token and expire.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { checkBusinessAccess } from '../auth/access.js';
import { readCredentials } from '../auth/credentials.js';
import { ApiError } from '../contract/errors.js';
import { CONTROL_TAG } from '../contract/tags.js';
import type { AccessPolicy } from '../auth/access.js';
import type { ChatService } from '../domain/chat-service.js';
import type { FileLinks } from '../domain/file-links.js';
import { registerJournal, type JournalSources } from '../http/journal-hooks.js';
import { scenarioEffects, type RulePlayer } from '../http/scenario-effects.js';

const MB = 1024 * 1024;

/** Headers that let a browser or client save the file under its own name, without it ever being a path. */
function dispositionOf(name: string, how: 'inline' | 'attachment'): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${how}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Types a browser would run rather than show: HTML, SVG, XML, scripts. */
const ACTIVE_TYPES = /^(text\/html|image\/svg\+xml|application\/xhtml\+xml|(text|application)\/xml|[a-z]+\/(x-)?(java|ecma)script)\b/i;

const FileParams = Type.Object({ fileId: Type.String({ maxLength: 100 }) });
const LinkQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 20, description: 'When the link expires (with files.expireAfter)' })),
  signature: Type.Optional(Type.String({ maxLength: 100, description: "The link's signature (with files.expireAfter)" })),
});

/** What the file host needs: the partner's pipeline (journal, rules), the scenario's auth, links, and the files. */
export interface FileHost {
  pipeline: JournalSources & RulePlayer;
  policies: { readonly access: AccessPolicy | undefined };
  fileLinks: FileLinks;
  chats: Pick<ChatService, 'download'>;
}

/** The file's bytes under its own name, or a 404 that says whether it never existed or was dropped. */
async function sendFile(reply: FastifyReply, chats: FileHost['chats'], fileId: string): Promise<FastifyReply> {
  const file = await chats.download(fileId);
  if (!file.found && file.dropped) {
    const limit = file.keptBytes % MB === 0 ? `${file.keptBytes / MB} MB` : `${file.keptBytes} bytes`;
    const why = `uploads are kept in memory up to ${limit}, the oldest go first (with --db they are all kept)`;
    throw new ApiError(404, `fileId: file ${fileId} was dropped: ${why}`);
  }
  if (!file.found) throw new ApiError(404, `fileId: file ${fileId} not found`);
  // An upload is never run in the console's origin: not sniffed, not scripted, and active types saved, not shown.
  const active = ACTIVE_TYPES.test(file.meta.contentType);
  return reply
    .type(file.meta.contentType)
    .header('content-disposition', dispositionOf(file.meta.name, active ? 'attachment' : 'inline'))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
    .send(file.bytes);
}

export function fileRoutes(app: FastifyInstance, { pipeline, policies, fileLinks, chats }: FileHost): void {
  void app.register(async (files) => {
    registerJournal(files, pipeline);
    // As for the API: a call refused for its token or its link never reaches the scenario's rules.
    files.addHook(
      'onRequest',
      async (request: FastifyRequest<{ Params: Static<typeof FileParams>; Querystring: Static<typeof LinkQuery> }>) => {
        const { fileId } = request.params;
        if (fileLinks.authRequired) {
          const { token } = readCredentials(request.headers);
          checkBusinessAccess(policies.access, token, Number(fileId.split('-')[0]));
        }
        const link = fileLinks.check(fileId, request.query);
        if (!link.valid) throw new ApiError(403, link.reason);
      },
    );
    files.addHook('preValidation', scenarioEffects(files, pipeline));
    files.get<{ Params: Static<typeof FileParams>; Querystring: Static<typeof LinkQuery> }>(
      '/__sandbox/files/:fileId',
      {
        schema: {
          tags: [CONTROL_TAG],
          summary: 'The bytes behind a payload URL',
          description:
            "With the scenario's files.auth: required, the partner's token is needed (401 without, 403 for another business); " +
            'with files.expireAfter, a link older than that answers 403.',
          params: FileParams,
          querystring: LinkQuery,
        },
        config: { operationId: 'downloadFile', controlAccess: 'open' },
      },
      async (request, reply) => sendFile(reply, chats, request.params.fileId),
    );
  });

  // The console shows files without becoming one of the partner's calls: no journal, no rules, no token, no expiry.
  app.get<{ Params: Static<typeof FileParams> }>(
    '/__sandbox/files/:fileId/view',
    {
      schema: {
        tags: [CONTROL_TAG],
        summary: "A file's bytes for the sandbox's own tools",
        description: 'What the payload URL serves, without a journal entry, scenario rules, a token or an expiry.',
        params: FileParams,
      },
      config: { controlAccess: 'link' },
    },
    async (request, reply) => sendFile(reply, chats, request.params.fileId),
  );
}
