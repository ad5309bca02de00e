/**
 * Bundles the compiled program into dist/bundle with its dependencies inlined, as Node loads one file far faster
 * than the hundreds of modules they are made of (typebox alone is 700):
 * - the command line as CommonJS scripts: cli.cjs, a few lines that turn on Node's compile cache, and
 *   command-line.cjs, the program, which cli.cjs requires. Node's ES module loader would cost a start a third of
 *   its time: resolving each chunk, and building an ES module view of node:http, which loads undici with it;
 * - the programmatic API as an ES module, index.js.
 * Swagger UI's code is inlined too; its files are served from its package's folder (see http/openapi.ts).
 */
import { build, type BuildOptions } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsole } from './build-console.js';

const dist = join(import.meta.dirname, '..');
const out = join(dist, 'bundle');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
};

/** The command line's two scripts; the program's `import()`s become `require`s of what is in the same file. */
const commandLine: BuildOptions = {
  ...common,
  format: 'cjs',
  supported: { 'dynamic-import': false },
  // A CommonJS script's own address, for what finds its package's files from it (package-root.ts, http/openapi.ts).
  inject: [join(import.meta.dirname, 'bundle-import-meta.js')],
  define: { 'import.meta.url': 'importMetaUrlOfBundle' },
};

// Files of an earlier build that this one does not make would stay behind.
rmSync(out, { recursive: true, force: true });
await build({ ...commandLine, entryPoints: [join(dist, 'src', 'command-line.js')], outfile: join(out, 'command-line.cjs') });
await build({
  ...commandLine,
  entryPoints: [join(dist, 'src', 'cli.js')],
  outfile: join(out, 'cli.cjs'),
  plugins: [
    {
      name: 'command-line-apart',
      setup: (plugin) => plugin.onResolve({ filter: /^\.\/command-line\.js$/ }, () => ({ path: './command-line.cjs', external: true })),
    },
  ],
});
await build({
  ...common,
  entryPoints: [join(dist, 'src', 'index.js')],
  outfile: join(out, 'index.js'),
  format: 'esm',
  // CommonJS dependencies require Node's built-in modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
});

await buildConsole();
