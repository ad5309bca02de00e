#!/usr/bin/env node
/**
 * The command line's entry. It turns on Node's on-disk cache of compiled code (as tsc and npm do) before the program
 * is loaded, which halves loading it on a second start; the program itself is command-line.ts.
 */
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`yandex-market-chats-sandbox: needs Node.js 22 or later; this is ${process.version}\n`);
  process.exit(1);
}
module.enableCompileCache();
// No top-level await: the built command line is a CommonJS script (scripts/bundle.ts).
void import('./command-line.js')
  .then(({ main }) => main(process.argv.slice(2), process.env))
  .then((code) => {
    process.exitCode = code;
  });
