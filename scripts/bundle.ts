/**
 * Bundles the compiled program into dist/bundle (cli.js, index.js and a shared chunk) with its
 * dependencies inlined: Node 20 loads one file far faster than the hundreds of modules they are made of
 * (typebox alone is 700), which is most of the sandbox's start-up time. Swagger UI's code is inlined too; its
 * files are served from its package's folder (see http/openapi.ts).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsole } from './build-console.js';

const dist = join(import.meta.dirname, '..');

// Chunks are named by their content: those of an earlier build would stay behind.
rmSync(join(dist, 'bundle'), { recursive: true, force: true });
await build({
  entryPoints: [join(dist, 'src', 'cli.js'), join(dist, 'src', 'index.js')],
  outdir: join(dist, 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies require Node's built-in modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
});

await buildConsole();
