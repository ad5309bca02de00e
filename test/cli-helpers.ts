/** The command line as a user runs it, for the tests of it: run to its end, or started and stopped. */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Test } from 'tap';
import { bannerOf } from './helpers.js';
import { spawn } from './children.js';

export const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (through the same TypeScript loader as this test) to its end. */
export function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the CLI and resolves with its base URL once the banner is out. */
export function start(t: Test, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...process.execArgv, CLI, '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, ...bannerOf(child) };
}

export async function stop(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals) {
  child.kill(signal);
  return exited;
}
