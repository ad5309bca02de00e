/**
 * A server for the benchmark, in its own process so that the load generator does not share its CPU:
 * either the sandbox with a given world, or a bare Fastify route that answers a fixed body (the ceiling), or
 * consoles following a sandbox's event stream, or a bare pusher of notifications. Prints `READY <url>` once it
 * listens (or follows); followers print `READ <bytes>` as they stop; the pusher prints `PUSHED <µs>` as it ends.
 * Each kind loads only what it runs, so that the followers' process is as light as a small client.
 */
import { Agent, get, request } from 'node:http';
import type { SandboxOptions } from '../src/index.js';
import { atPace } from './pace.js';

export type ServerSpec =
  | { kind: 'sandbox'; options: SandboxOptions }
  | { kind: 'ceiling'; body: string }
  /** Not a server: `count` consoles following a sandbox's event stream, reading everything it sends. */
  | { kind: 'followers'; url: string; count: number }
  /**
   * Not a server: POSTs a notification to `url` `perSecond` times a second for 3 s with node:http and a kept
   * connection, as the sandbox pushes, prints its own CPU per push, and exits.
   */
  | { kind: 'pusher'; url: string; perSecond: number };

const spec = JSON.parse(process.argv[2]) as ServerSpec;

if (spec.kind === 'sandbox') {
  const { startSandbox } = await import('../src/index.js');
  const sandbox = await startSandbox({ ...spec.options, port: 0 });
  process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
  process.stdout.write(`READY ${sandbox.url}\n`);
} else if (spec.kind === 'followers') {
  let bytes = 0;
  await Promise.all(
    Array.from(
      { length: spec.count },
      () =>
        new Promise<void>((resolve, reject) => {
          get(`${spec.url}/__sandbox/events`, (response) => {
            response.on('data', (chunk: Buffer) => (bytes += chunk.length));
            resolve();
          }).once('error', reject);
        }),
    ),
  );
  // What they read, for the benchmark to tell the bytes an event takes.
  process.once('SIGTERM', () => process.stdout.write(`READ ${bytes}\n`, () => process.exit(0)));
  process.stdout.write(`READY ${spec.url}\n`);
} else if (spec.kind === 'pusher') {
  const agent = new Agent({ keepAlive: true });
  const body = JSON.stringify({ notificationType: 'CHAT_MESSAGE_SENT', chatId: 1, messageId: '1', businessId: 1001, sentAt: '' });
  const push = () =>
    new Promise<void>((resolve, reject) => {
      const sent = request(spec.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (answer) => {
        answer.resume();
        answer.on('end', resolve);
      });
      sent.once('error', reject);
      sent.end(body);
    });
  process.stdout.write(`READY ${spec.url}\n`);
  // Warmed up first, as the sandbox is by the time it is measured; its connection is kept, as the sandbox's is.
  for (let i = 0; i < 500; i++) await push();
  const before = process.cpuUsage();
  const pushes = await atPace(push, spec.perSecond);
  const used = process.cpuUsage(before);
  process.stdout.write(`PUSHED ${Math.round((used.user + used.system) / pushes)}\n`);
  agent.destroy();
} else {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  // The same methods and paths the sandbox serves; JSON bodies are parsed as there, then the body is replayed.
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: (_request, reply) => reply.type('application/json; charset=utf-8').send(spec.body),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  const address = app.server.address();
  process.stdout.write(`READY http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
}
