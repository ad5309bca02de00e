import type { FastifyRequest } from 'fastify';

/** Where a payload's bytes download from: the control API of this same sandbox, as the client reached it. */
export function fileUrls(request: FastifyRequest): (fileId: string) => string {
  const origin = `${request.protocol}://${request.host}`;
  return (fileId) => `${origin}/__sandbox/files/${fileId}`;
}
