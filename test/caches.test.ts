/**
 * Caches belong to one sandbox: two sandboxes in one process share none, and reset and close free them.
 * And no module of src/ keeps mutable state at module level, where every sandbox in a process would share it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { buildApp } from '../src/index.js';

const headers = { 'api-key': 'ACMA:test' };
const history = (chatId: number) => ({
  method: 'POST' as const,
  url: `/v2/businesses/1001/chats/history?chatId=${chatId}`,
  headers,
  payload: {},
});

t.test("two sandboxes in one process share no cache; reset and close free a sandbox's", async (t) => {
  // One clock for both: the default world's times are laid out back from the moment it is loaded.
  const now = () => Date.parse('2026-11-24T12:00:00Z');
  const a = await buildApp({ now });
  const b = await buildApp({ now });
  t.teardown(() => b.app.close());
  const chats = (await a.app.inject({ method: 'POST', url: '/v2/businesses/1001/chats?limit=20', headers, payload: {} })).json();
  for (const chat of chats.result.chats as { chatId: number }[]) await a.app.inject(history(chat.chatId));
  t.ok(a.pieces.size > 0, `the sandbox read from keeps what it serialized (${a.pieces.size} messages)`);
  t.equal(b.pieces.size, 0, 'the other sandbox has nothing of it');

  const [first] = chats.result.chats as { chatId: number }[];
  const before = (await b.app.inject(history(first.chatId))).body;
  t.equal(before, (await a.app.inject(history(first.chatId))).body, 'the same world gives the same answer in both');
  t.ok(b.pieces.size > 0 && b.pieces.size < a.pieces.size, 'each keeps what it served itself');

  await a.runtime.reset();
  t.equal(a.pieces.size, 0, 'reset frees the cache');
  await a.app.inject(history(first.chatId));
  t.ok(a.pieces.size > 0);
  await a.app.close();
  t.equal(a.pieces.size, 0, 'close frees it');
});

/** Top-level bindings that hold changing state: a `let`, or a Map, Set or array made at load (not typed read-only). */
const MODULE_STATE = /^(?:export )?(?:let |(?:const|var) \w+(?::(?![^=]*Readonly)[^=]+)? = (?:new (?:Weak)?(?:Map|Set)\b|\[\]))/;

/** State that is the process's by nature, not a sandbox's. */
const ALLOWED = new Set([
  // Compiled code, not data: a serializer per schema of the project's own, the same for every sandbox.
  'src/http/serializers.ts',
  // The --db files this process holds: two sandboxes of one process on one file are refused as two processes are.
  'src/store/db-lock.ts',
]);

t.test('no module of src/ keeps mutable state at module level', async (t) => {
  const root = join(import.meta.dirname, '..');
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const found = files.flatMap((file) => {
    const path = relative(root, join(root, 'src', file));
    if (ALLOWED.has(path)) return [];
    const lines = readFileSync(join(root, path), 'utf8').split('\n');
    return lines.flatMap((line, i) => (MODULE_STATE.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
  });
  t.ok(files.length > 50, `every source file is read (${files.length})`);
  t.same(found, [], 'state belongs to a sandbox, not to a module');
});
