/**
 * Requests Node's HTTP parser refuses before Fastify sees them (garbage on the socket, headers too large,
 * a request that never finished arriving) are answered in the Yandex envelope too, then the socket closes.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorEnvelope } from '../contract/errors.js';

const STATUS_OF: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

const MESSAGE_OF: Record<number, string> = {
  400: 'request: is not a valid HTTP/1.1 request',
  408: 'request: did not arrive in time',
  431: 'headers: are larger than the server accepts (16 KB)',
};

/** The client is gone: it reset the connection, or closed it in the middle of a request. */
const GONE: ReadonlySet<string> = new Set(['ECONNRESET', 'HPE_INVALID_EOF_STATE']);

export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // Nobody is there to answer, or the request was answered already: no second answer on the connection.
  const answered = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (GONE.has(error.code ?? '') || socket.destroyed || answered) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF[error.code ?? ''] ?? 400;
  const body = JSON.stringify(errorEnvelope(status, `${MESSAGE_OF[status]}${status === 400 && error.code ? ` (${error.code})` : ''}`));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
