/**
 * Processes a test starts end with it, however the test process ends: its tests done (each test's teardown stops
 * its own), or stopped by tap when a test runs out of time (SIGTERM), when teardowns do not run. Tests spawn with
 * this `spawn`, the same as node:child_process's.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let watching = false;

function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function watchOnce(): void {
  if (watching) return;
  watching = true;
  process.once('exit', killChildren);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killChildren();
      // The signal's own end, as if this handler had not been here.
      process.kill(process.pid, signal);
    });
  }
}

export const spawn = ((...args: Parameters<typeof spawnProcess>) => {
  watchOnce();
  const child = spawnProcess(...args);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}) as typeof spawnProcess;
