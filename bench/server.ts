/**
 * A server for the benchmark, in its own process so that the load generator does not share its CPU:
 * either the sandbox with a given world, or a bare Fastify route that answers a fixed body (the ceiling), or
 * consoles following a sandbox's event stream. Prints `READY <url>` once it listens (or follows); followers print
 * `READ <bytes>` as they stop. Each kind loads only what it runs, so that the followers' process is as light as a
 * small client.
 */
import { get } from 'node:http';
import type { SandboxOptions } from '../src/index.js';

export type ServerSpec =
  | { kind: 'sandbox'; options: SandboxOptions }
  | { kind: 'ceiling'; body: string }
  /** Not a server: `count` consoles following a sandbox's event stream, reading everything it sends. */
  | { kind: 'followers'; url: string; count: number };

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
