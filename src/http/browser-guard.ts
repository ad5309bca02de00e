/**
 * What keeps a web page in the developer's browser from driving the sandbox: a control request sent from another
 * origin is refused (a page on any site could otherwise reset it or load a scenario), and, while the sandbox
 * listens on a loopback address, so is any request whose Host is not a loopback name (DNS rebinding: a page whose
 * name resolves to 127.0.0.1 would otherwise be same-origin with it). Listening on another interface, for a
 * container, the control token guards the control API instead.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../contract/errors.js';
import { isLoopback } from '../model/addresses.js';
import { isControlRoute } from './control-routes.js';

/** The host name of a Host header (`[::1]:8080` → `::1`, `localhost:8080` → `localhost`). */
const hostName = (header: string) => (header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.split(':')[0]);

function refusal(request: FastifyRequest, listensOnLoopback: boolean, loopbackHost: (host: string) => boolean): ApiError | undefined {
  const host = request.headers.host ?? '';
  if (listensOnLoopback && !loopbackHost(host)) {
    return new ApiError(
      403,
      `Host: ${host || '(none)'} is not this sandbox's name; it listens on a loopback address, reach it as localhost or 127.0.0.1`,
    );
  }
  const origin = request.headers.origin;
  if (origin === undefined || !isControlRoute(request)) return undefined;
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    from = origin;
  }
  if (from !== host) {
    return new ApiError(
      403,
      `Origin: ${origin} is not the sandbox's own; the control API answers only its own pages (the console) and clients that send no Origin`,
    );
  }
  return undefined;
}

export function registerBrowserGuard(app: FastifyInstance): void {
  // Read once, at the first request: where the server listens does not change, and asking costs a system call.
  let loopback: boolean | undefined;
  const listensOnLoopback = () => {
    const address = app.server.address();
    return typeof address === 'object' && address !== null && isLoopback(address.address);
  };
  // Clients send the same Host on every call: the last one found a loopback name is not parsed again.
  let lastLoopbackHost: string | undefined;
  const loopbackHost = (host: string) => {
    if (host === lastLoopbackHost) return true;
    if (!isLoopback(hostName(host))) return false;
    lastLoopbackHost = host;
    return true;
  };
  // A callback hook, first of all: it runs on every call, and a promise each is a cost worth avoiding.
  app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    loopback ??= listensOnLoopback();
    done(refusal(request, loopback, loopbackHost));
  });
}
