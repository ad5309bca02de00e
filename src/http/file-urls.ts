import type { FastifyRequest } from 'fastify';
import type { FileLinks } from '../domain/file-links.js';

/** Where a payload's bytes download from: the sandbox's file route, as the client reached it, with the link's expiry when links expire. */
export function fileUrls(request: FastifyRequest, links: FileLinks): (fileId: string) => string {
  const origin = `${request.protocol}://${request.host}`;
  return (fileId) => `${origin}/__sandbox/files/${fileId}${links.query(fileId)}`;
}
