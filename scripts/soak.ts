/**
 * `npm run soak`: traffic for SOAK_MINUTES (default 30) against the reference bot, spread over a few business
 * ids drawn at random, with a console following the event stream, printing the sandbox's resident memory each
 * minute. After the first ten minutes (the first third of a shorter run) it should grow by less than 10 %.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { packagePath } from '../src/package-root.js';
import { startReferenceBot } from './reference-bot.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
if (!(MINUTES >= 1)) {
  console.error('soak: SOAK_MINUTES must be a number of minutes, at least 1');
  process.exit(2);
}
const SETTLED_AFTER = Math.min(10, Math.floor(MINUTES / 3));

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

const businesses = Array.from({ length: 3 }, () => 10_000 + Math.floor(Math.random() * 90_000));
// Quotas off: the soak watches memory under steady traffic, and Market's hourly quotas would stop the bot within
// minutes at this pace (a traffic run's figures show that on their own).
const scenario = {
  rateLimits: 'off',
  traffic: {
    duration: `${MINUTES}m`,
    start: { on: 'webhook' },
    businesses,
    chats: { perMinute: 120, ramp: '1m' },
    messages: { perChat: { min: 1, max: 4 }, replyAfter: { min: '1s', max: '10s' } },
    files: 0.1,
    interval: '10s',
  },
};

const child = spawn(process.execPath, [packagePath('dist', 'bundle', 'cli.cjs'), '--port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const found = /API\s+(http:\/\/\S+)/.exec(out);
    if (found) resolve(found[1]);
  });
});

const bot = await startReferenceBot({ api: url, businesses });
const put = await fetch(`${url}/__sandbox/scenario`, {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...scenario, webhook: { url: bot.url } }),
});
if (!put.ok) throw new Error(`soak: the scenario was refused: ${await put.text()}`);

// A console following the event stream, reading every byte.
let streamed = 0;
const stream = get(`${url}/__sandbox/events`, (response) => response.on('data', (chunk: Buffer) => (streamed += chunk.length)));

console.log(`soak: ${MINUTES} min of traffic over businesses ${businesses.join(', ')}; sandbox at ${url}`);
const samples: number[] = [];
for (let minute = 1; minute <= MINUTES; minute++) {
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  const rss = rssMb(child.pid!);
  samples.push(rss);
  const traffic = (
    (await (await fetch(`${url}/__sandbox/traffic`)).json()) as { result: { chats: number; answered: number; buyerMessages: number } }
  ).result;
  console.log(
    `minute ${minute}: resident memory ${rss.toFixed(0)} MB; ${traffic.chats} chats, ${traffic.answered} of ${traffic.buyerMessages} buyer messages answered; ` +
      `${(streamed / 1e6).toFixed(1)} MB streamed`,
  );
}
const from = samples[Math.max(0, SETTLED_AFTER - 1)];
const growth = (samples[samples.length - 1] - from) / from;
const met = growth < 0.1;
console.log(
  `${met ? 'met   ' : 'MISSED'}  resident memory after minute ${SETTLED_AFTER}: ${from.toFixed(0)} → ${samples[samples.length - 1].toFixed(0)} MB, ` +
    `${(growth * 100).toFixed(1)}% (target < 10%)`,
);
stream.destroy();
await bot.close();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
process.exit(met ? 0 : 1);
