/** Every relative link and anchor in the README and docs/ resolves: a reader never lands on nothing. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { packageFolder } from '../src/package-root.js';

const ROOT = join(import.meta.dirname, '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside code blocks and code spans, where links are links. */
const prose = (text: string) => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

t.test('relative links and anchors in the README and docs/ resolve', async (t) => {
  let checked = 0;
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path ? join(dirname(join(ROOT, page)), path) : join(ROOT, page);
      t.ok(existsSync(file), `${page}: ${target} points at ${relative(ROOT, file)}`);
      if (anchor && existsSync(file) && file.endsWith('.md')) {
        t.ok(anchorsOf(readFileSync(file, 'utf8')).has(anchor), `${page}: #${anchor} is a heading of ${relative(ROOT, file)}`);
      }
      checked++;
    }
  }
  t.ok(checked > 50, `${checked} links checked`);
});

t.test('the README is a front door: at most 350 lines, with a map of every page in docs/', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  t.ok(readme.split('\n').length <= 350, `${readme.split('\n').length} lines`);
  const map = readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8');
  for (const page of PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md')) {
    t.ok(map.includes(`](${page.slice('docs/'.length)})`), `docs/README.md lists ${page}`);
  }
});

t.test('the README lists every ready-made scenario the package ships, and no other', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const listed = [...readme.matchAll(/^\| `scenarios\/([\w-]+\.yaml)` \|/gm)].map(([, file]) => file).sort();
  t.same(
    listed,
    packageFolder('scenarios')
      .filter((file) => file.endsWith('.yaml'))
      .sort(),
  );
});
