/**
 * Bytes of uploaded files, by file id: in memory, or beside the `--db` file in a folder. File ids are
 * made by the sandbox, never taken from the client, so no client-sent name reaches the file system.
 * In memory the bytes are bounded: past the bound the oldest uploads are dropped, so that a long CI run
 * cannot exhaust memory (with --db they are on disk and kept).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SAFE_ID = /^[0-9a-z-]+$/i;

/** The most bytes of uploads kept in memory. */
export const MEMORY_FILES_BYTES = 256 * 1024 * 1024;

export class FileStore {
  /** In the order they came: the first are dropped first. */
  private readonly memory = new Map<string, Buffer>();
  private memoryBytes = 0;
  private readonly dropped = new Set<string>();
  private readonly dir: string | undefined;

  constructor(
    dbFile?: string,
    readonly maxMemoryBytes = MEMORY_FILES_BYTES,
  ) {
    this.dir = dbFile ? `${dbFile}.files` : undefined;
  }

  async put(fileId: string, bytes: Buffer): Promise<void> {
    if (!SAFE_ID.test(fileId)) throw new Error(`unsafe file id ${fileId}`);
    if (!this.dir) {
      this.memory.set(fileId, bytes);
      this.memoryBytes += bytes.length;
      for (const [oldId, old] of this.memory) {
        if (this.memoryBytes <= this.maxMemoryBytes) break;
        this.memory.delete(oldId);
        this.memoryBytes -= old.length;
        this.dropped.add(oldId);
      }
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

  /** Whether the file's bytes were dropped to keep memory bounded. */
  wasDropped(fileId: string): boolean {
    return this.dropped.has(fileId);
  }

  /** As a part of the sandbox: a reset drops every upload; a business reset keeps them (file ids are per business). */
  async reset(businessId?: number): Promise<void> {
    if (businessId === undefined) await this.clear();
  }

  async clear(): Promise<void> {
    this.memory.clear();
    this.memoryBytes = 0;
    this.dropped.clear();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
