/**
 * The web console (console/) as the sandbox serves it: one minified script with Preact inside, its page and
 * its style, in dist/console, which the package ships. The browser tests build it too, so they test the source.
 */
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { packagePath } from '../src/package-root.js';

export async function buildConsole(): Promise<void> {
  const source = packagePath('console');
  const out = packagePath('dist', 'console');
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: [`${source}/main.tsx`],
    outfile: `${out}/console.js`,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: `${source}/tsconfig.json`,
    charset: 'utf8',
    logLevel: 'warning',
  });
  await Promise.all([
    ...['index.html', 'console.css'].map((file) => copyFile(`${source}/${file}`, `${out}/${file}`)),
    // uPlot's own style for the Traffic view's charts.
    copyFile(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), `${out}/uplot.css`),
  ]);
}
