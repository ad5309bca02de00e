/** Files the program reads at run time, found from wherever the code runs (sources or the built dist/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of yandex-market-chats-sandbox not found');
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();

export const packagePath = (...parts: string[]) => join(PACKAGE_ROOT, ...parts);

export const PACKAGE_VERSION = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
