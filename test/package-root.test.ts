/**
 * The binary's files, with Node's single-executable API played by a fake: read from the binary itself, and Swagger
 * UI's copy on disk only in a folder of the user's own, checked at every start. (test/binary.test.ts runs the real one.)
 */
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type * as PackageRoot from '../src/package-root.js';
import { tempDir } from './helpers.js';

const ASSETS: Record<string, string> = {
  'package.json': '{"version":"9.9.9"}',
  'scenarios/a.yaml': 'name: a\n',
  'scenarios/b.yaml': 'name: b\n',
  'scenarios/deeper/c.yaml': 'name: c\n',
  'swagger-ui/index.css': 'body{}',
  'swagger-ui/nested/logo.svg': '<svg/>',
};

async function binaryFiles(t: Test, tmp: string) {
  const manifest = JSON.stringify({ files: Object.keys(ASSETS) });
  const sea = {
    isSea: () => true,
    getAsset: (key: string, encoding?: string) => {
      const text = key === 'manifest.json' ? manifest : ASSETS[key];
      if (text === undefined) throw new Error(`no asset ${key}`);
      return encoding ? text : new TextEncoder().encode(text).buffer;
    },
  };
  return t.mockImport<typeof PackageRoot>('../src/package-root.js', {
    'node:sea': sea,
    'node:os': { tmpdir: () => tmp },
  });
}

t.test('in the binary, files are read from the binary itself', async (t) => {
  const files = await binaryFiles(t, tempDir(t));
  t.equal(files.IN_BINARY, true);
  t.equal(files.packageVersion(), '9.9.9');
  t.equal(files.versionLine(), `9.9.9 (Node.js ${process.version})`);
  t.equal(files.readPackageFile('scenarios', 'a.yaml').toString(), 'name: a\n');
  t.same(files.packageFolder('scenarios').sort(), ['a.yaml', 'b.yaml'], 'a folder lists its own files, not those below');
});

t.test("Swagger UI's copy: in a folder of the user's own, written again when altered, never another's", async (t) => {
  const tmp = tempDir(t);
  const files = await binaryFiles(t, tmp);
  const folder = files.packageFolderOnDisk('swagger-ui')!;
  t.ok(folder, 'written out');
  t.equal(readFileSync(join(folder, 'nested', 'logo.svg'), 'utf8'), '<svg/>');
  const mine = join(tmp, `yandex-market-chats-sandbox-${process.getuid!()}`);
  t.equal(statSync(mine).mode & 0o777, 0o700, 'a folder only this user may enter');
  writeFileSync(join(folder, 'index.css'), 'body{display:none}');
  t.equal(files.packageFolderOnDisk('swagger-ui'), folder);
  t.equal(readFileSync(join(folder, 'index.css'), 'utf8'), 'body{}', 'an altered file is written again');

  const open = tempDir(t);
  mkdirSync(join(open, `yandex-market-chats-sandbox-${process.getuid!()}`));
  chmodSync(join(open, `yandex-market-chats-sandbox-${process.getuid!()}`), 0o777);
  t.equal((await binaryFiles(t, open)).packageFolderOnDisk('swagger-ui'), undefined, 'a folder others may write to is not used');

  const linked = tempDir(t);
  symlinkSync(tempDir(t), join(linked, `yandex-market-chats-sandbox-${process.getuid!()}`));
  t.equal((await binaryFiles(t, linked)).packageFolderOnDisk('swagger-ui'), undefined, 'nor a link planted in its place');

  t.equal((await binaryFiles(t, '/proc')).packageFolderOnDisk('swagger-ui'), undefined, 'an unusable TMPDIR: none, at once');
});
