/**
 * Bytes of uploaded files, by file id: in memory, or beside the `--db` file in a folder. File ids are
 * made by the sandbox, never taken from the client, so no client-sent name reaches the file system.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SAFE_ID = /^[0-9a-z-]+$/i;

export class FileStore {
  private readonly memory = new Map<string, Buffer>();
  private readonly dir: string | undefined;

  constructor(dbFile?: string) {
    this.dir = dbFile ? `${dbFile}.files` : undefined;
  }

  async put(fileId: string, bytes: Buffer): Promise<void> {
    if (!SAFE_ID.test(fileId)) throw new Error(`unsafe file id ${fileId}`);
    if (!this.dir) {
      this.memory.set(fileId, bytes);
      return;
    }
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, fileId), bytes);
  }

  async get(fileId: string): Promise<Buffer | undefined> {
    if (!SAFE_ID.test(fileId)) return undefined;
    if (!this.dir) return this.memory.get(fileId);
    return readFile(join(this.dir, fileId)).catch(() => undefined);
  }

  async clear(): Promise<void> {
    this.memory.clear();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
