/**
 * One process per --db file: two sandboxes writing one file would hand out the same ids for different chats and
 * lose each other's acknowledged writes. The lock is a file beside it (FILE.lock), made only if it does not exist,
 * holding the owner's process id and host; a lock whose process is gone (killed) is taken over. A sandbox on another
 * host (a container sharing the volume) cannot be asked whether it runs: its lock counts while it is fresh, as the
 * owner touches it every few seconds.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

export class DbLockError extends Error {
  override name = 'DbLockError';
}

/** How often the owner touches its lock, and how long one untouched is taken for another host's live lock. */
const TOUCH_MS = 5_000;
const FRESH_MS = 20_000;

/** Real time, which file times are in (not the sandbox's clock, which may be moved). */
const realNow = () => performance.timeOrigin + performance.now();

/** The files this process holds: a lock naming this process and not among them is a previous life's. */
const held = new Set<string>();

interface Owner {
  pid: number;
  host: string;
}

/** Whether the process that wrote `owner` still runs (on this host; another host's lock is held, as it cannot be asked). */
function alive(owner: Owner, lock: string): boolean {
  if (owner.host !== hostname()) return realNow() - statSync(lock).mtimeMs < FRESH_MS;
  // A process restarted with the id of the one that left the lock (pid 1 in a container) is no other owner.
  if (owner.pid === process.pid) return held.has(lock);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(lock: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lock, 'utf8')) as Partial<Owner>;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? (owner as Owner) : undefined;
  } catch {
    // Unreadable, or cut short by a kill as it was written: no owner to respect.
    return undefined;
  }
}

/** Takes the lock of `dbFile`, or throws naming the process that holds it; call what it returns to let it go. */
export function lockDbFile(dbFile: string): () => void {
  const lock = resolve(`${dbFile}.lock`);
  const mine = JSON.stringify({ pid: process.pid, host: hostname() });
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = ownerOf(lock);
      if (owner && alive(owner, lock)) {
        throw new DbLockError(
          `${dbFile}: is in use by process ${owner.pid} on ${owner.host} (its lock is ${dbFile}.lock); stop that sandbox, or give another --db`,
        );
      }
      rmSync(lock, { force: true });
      continue;
    }
    writeSync(fd, mine);
    closeSync(fd);
    held.add(lock);
    const touching = setInterval(() => {
      const seconds = realNow() / 1000;
      try {
        utimesSync(lock, seconds, seconds);
      } catch {
        // Gone (removed by hand): nothing to keep fresh.
      }
    }, TOUCH_MS).unref();
    return () => {
      clearInterval(touching);
      held.delete(lock);
      // Only our own lock: one taken over meanwhile is another's.
      if (ownerOf(lock)?.pid === process.pid) rmSync(lock, { force: true });
    };
  }
}
