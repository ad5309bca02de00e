/** Reads a multipart/form-data body: its text fields and its `file` parts, each refused the moment it is too large. */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from '../contract/errors.js';
import type { UploadedFile } from '../domain/chat-service.js';
import { MAX_FILE_BYTES, MAX_FILE_MB, MAX_FILES_PER_MESSAGE } from '../contract/operations.js';

/** What a multipart form may hold (busboy's limits): files as Market allows them, and a few fields besides. */
export const MULTIPART_LIMITS = { fileSize: MAX_FILE_BYTES, files: MAX_FILES_PER_MESSAGE, fields: 20, parts: 25 };

/** @fastify/multipart's refusals of a form past a limit, in the sandbox's own words, naming the limit. */
export const MULTIPART_LIMIT_MESSAGES: Record<string, string> = {
  FST_FILES_LIMIT: `file: at most ${MULTIPART_LIMITS.files} files a message`,
  FST_FIELDS_LIMIT: `body: at most ${MULTIPART_LIMITS.fields} fields in a multipart form`,
  FST_PARTS_LIMIT: `body: at most ${MULTIPART_LIMITS.parts} parts (files and fields) in a multipart form`,
  FST_REQ_FILE_TOO_LARGE: `file: is larger than ${MAX_FILE_MB} MB, the most Market accepts`,
};

/** A part's bytes; refused the moment it passes the size limit, not once the client has sent it all. */
function readPart(part: MultipartFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    part.file.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The rest of the upload is not wanted: the connection closes once the refusal is sent.
    const refusal = new ApiError(413, `file: is larger than ${MAX_FILE_MB} MB, the most Market accepts`, { connection: 'close' });
    part.file.once('limit', () => reject(refusal));
    part.file.once('end', () => resolve(Buffer.concat(chunks)));
    part.file.once('error', reject);
  });
}

export interface MultipartBody {
  /** Text fields, the first value of each name. */
  fields: Record<string, string>;
  /** The parts named `file`, in order, up to `maxFiles`; others are read past. */
  files: UploadedFile[];
}

export async function readMultipart(request: FastifyRequest, maxFiles: number): Promise<MultipartBody> {
  const fields = Object.create(null) as Record<string, string>;
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (!(part.fieldname in fields)) fields[part.fieldname] = String(part.value);
      } else if (part.fieldname === 'file' && files.length < maxFiles) {
        files.push({ name: part.filename, contentType: part.mimetype, bytes: await readPart(part) });
      } else {
        part.file.resume();
      }
    }
  } catch (error) {
    // The parser's own complaints about a broken body carry no status: they are the client's.
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw badRequest(`body: not readable as multipart/form-data (${(error as Error).message})`);
  }
  return { fields, files };
}
