/**
 * `npm run bench`: the sandbox's throughput next to a bare Fastify route replaying the same answer (the
 * ceiling for any Fastify app on this machine), start-up time, and memory with a million messages.
 * Loopback only; each load runs for BENCH_SECONDS (default 5). Figures are from one run on a shared
 * machine: compare ratios, not absolute numbers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { OPERATION_IDS, type Scenario, type SandboxOptions } from '../src/index.js';
import { CHAT_STATUSES } from '../src/contract/enums.js';
import { MAX_BUSINESSES } from '../src/model/records.js';
import type { TrafficReport } from '../src/traffic/measure.js';
import { atPace } from './pace.js';
import type { ServerSpec } from './server.js';
import { startReferenceBot } from '../scripts/reference-bot.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 8;
const SERVER = join(import.meta.dirname, 'server.js');
/** The program as installed: the bundle the package's bin runs. */
const CLI = join(import.meta.dirname, '..', 'bundle', 'cli.cjs');
const HEADERS = { 'Api-Key': 'ACMA:bench', 'content-type': 'application/json' };

interface Server {
  url: string;
  child: ChildProcess;
  startedInMs: number;
  /** Everything it printed so far. */
  output: () => string;
}

async function startServer(spec: ServerSpec): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /READY (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  return { url, child, startedInMs: performance.now() - started, output: () => out };
}

async function stopServer(server: Server): Promise<void> {
  // 'close' rather than 'exit': what it printed as it stopped has been read by then.
  const exited = new Promise((resolve) => server.child.once('close', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Resident memory of a process, from /proc (Linux). */
function rssMb(pid: number): number | undefined {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    return Math.round(kb / 1024);
  } catch {
    return undefined;
  }
}

interface Load {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Varies each request (path and body) so that no answer is one given before; the first is `path` and `body`. */
  vary?: (n: number) => { path: string; body: string };
}

interface Figures {
  rps: number;
  p99: number;
}

async function measure(url: string, load: Load, seconds = SECONDS): Promise<Figures> {
  let n = 0;
  const { vary } = load;
  const result = await autocannon({
    url: url + load.path,
    method: load.method,
    headers: HEADERS,
    body: load.body,
    connections: CONNECTIONS,
    duration: seconds,
    ...(vary ? { requests: [{ setupRequest: (request) => ({ ...request, ...vary(n++) }) }] } : {}),
  });
  if (result.non2xx || result.errors) throw new Error(`${load.path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function call(url: string, load: Load): Promise<string> {
  const response = await fetch(url + load.path, { method: load.method, headers: HEADERS, body: load.body });
  if (response.status !== 200) throw new Error(`${load.path}: ${response.status} ${await response.text()}`);
  return response.text();
}

interface Row {
  name: string;
  sandbox: Figures;
  ceiling: Figures;
}

/** The sandbox under `load`, then a bare Fastify route replaying the answer the sandbox gave. */
async function versusCeiling(name: string, sandbox: Server, load: Load): Promise<Row> {
  const body = await call(sandbox.url, load);
  const figures = await measure(sandbox.url, load);
  const ceiling = await startServer({ kind: 'ceiling', body });
  try {
    return { name, sandbox: figures, ceiling: await measure(ceiling.url, load) };
  } finally {
    await stopServer(ceiling);
  }
}

/** Quotas far above any load: the limiter runs and counts, but never refuses. */
const HIGH_LIMITS: Scenario['rateLimits'] = {
  parallel: 10_000,
  ...Object.fromEntries(OPERATION_IDS.map((op) => [op, { limit: 1_000_000_000, window: '1h' }])),
};

/** Generated chats of the second business: they count 80 messages each against the bound of a million. */
const OTHER_CHATS = 40;

/** A world of `messages` in all: one long history, and a second business of generated chats. */
const historyWorld = (messages: number): Scenario => ({
  rateLimits: HIGH_LIMITS,
  data: {
    businesses: [
      {
        id: 1001,
        chats: [{ chatId: 1000, context: { type: 'ORDER', id: 780000001 }, messages: { generate: messages - OTHER_CHATS * 80 } }],
      },
      { id: 2002, chats: { generate: OTHER_CHATS } },
    ],
  },
});

/** The parts of Market's answers the bench reads. */
interface Answer {
  result: { paging: { nextPageToken?: string }; messages: { messageId: number }[]; chats: { chatId: number }[] };
}
const answerOf = (text: string) => JSON.parse(text) as Answer;

async function lastPageToken(url: string, chatId: number): Promise<string> {
  let token = '';
  for (;;) {
    const path = `/v2/businesses/1001/chats/history?chatId=${chatId}&limit=100${token && `&pageToken=${token}`}`;
    const page = answerOf(await call(url, { method: 'POST', path, body: '{}' }));
    const next = page.result.paging.nextPageToken;
    if (!next) return token;
    token = next;
  }
}

/** BENCH_BUSINESSES (100 000) distinct business ids, one call each: the first call's latency and the memory it leaves. */
async function manyBusinesses(): Promise<{ count: number; p50: number; p99: number; rss: number }> {
  // As many as a sandbox holds (MAX_BUSINESSES), the default world's business among them.
  const count = Number(process.env.BENCH_BUSINESSES ?? MAX_BUSINESSES - 1);
  const server = await startServer({ kind: 'sandbox', options: {} });
  const took: number[] = [];
  let rss = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const started = performance.now();
      await call(server.url, { method: 'POST', path: `/v2/businesses/${10_000_000 + i}/chats?limit=1`, body: '{}' });
      took.push(performance.now() - started);
      if (i % 5000 === 0) rss = Math.max(rss, rssMb(server.child.pid!) ?? 0);
    }
  };
  try {
    await Promise.all([worker(), worker()]);
    rss = Math.max(rss, rssMb(server.child.pid!) ?? 0);
  } finally {
    await stopServer(server);
  }
  took.sort((a, b) => a - b);
  return { count, p50: took[Math.floor(count * 0.5)], p99: took[Math.floor(count * 0.99)], rss };
}

async function startUpMs([program, ...args]: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(program, [...args, '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /API\s+(http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
  });
  await call(url, { method: 'POST', path: '/v2/businesses/1001/chats?limit=20', body: '{}' });
  const elapsed = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return elapsed;
}

/** How long a command takes from its start to its exit. */
async function commandMs(program: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(program, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

interface StartUp {
  /** A bare `node -e 0` of the Node that runs the bench (and the command line). */
  bare: number;
  /** A bare `node -e 0` of the pinned Node.js 24 the binary is made of. */
  bareOfBinary: number;
  binaryNode: string;
  version: number;
  help: number;
  firstAnswer: number;
  binary: number;
}

/**
 * Start-up of the command line and of the standalone binary (built first) to their first answer, each in turn with
 * a bare node -e 0 of its own Node (the machine's speed drifts): the medians of seven rounds.
 */
async function startUpRatios(): Promise<StartUp> {
  const { buildBinary, pinnedNode24 } = await import('../scripts/binary.js');
  const binary = await buildBinary();
  const binaryNode = pinnedNode24();
  const rounds = { bare: [] as number[], bareOfBinary: [] as number[], version: [] as number[], help: [] as number[] };
  const answers = { firstAnswer: [] as number[], binary: [] as number[] };
  for (let i = 0; i < 7; i++) {
    rounds.bare.push(await commandMs(process.execPath, ['-e', '0']));
    rounds.bareOfBinary.push(await commandMs(binaryNode, ['-e', '0']));
    rounds.version.push(await commandMs(process.execPath, [CLI, '--version']));
    rounds.help.push(await commandMs(process.execPath, [CLI, '--help']));
    answers.firstAnswer.push(await startUpMs([process.execPath, CLI]));
    answers.binary.push(await startUpMs([binary]));
  }
  return {
    bare: median(rounds.bare),
    bareOfBinary: median(rounds.bareOfBinary),
    binaryNode: execFileSync(binaryNode, ['--version']).toString().trim(),
    version: median(rounds.version),
    help: median(rounds.help),
    firstAnswer: median(answers.firstAnswer),
    binary: median(answers.binary),
  };
}

/** The start-up lines, and their targets: the binary within 2× a bare start of its Node, the command line within 3×. */
function startUpLines(startUp: StartUp): { lines: string[]; targets: [string, boolean, string][] } {
  const times = (ms: number, bare: number, node: string) =>
    `${fmt(ms)} ms, ${(ms / bare).toFixed(1)}× a bare node -e 0 of Node ${node} (${fmt(bare)} ms)`;
  const cli = startUp.firstAnswer / startUp.bare;
  const binary = startUp.binary / startUp.bareOfBinary;
  const version = startUp.version / startUp.bare;
  const help = startUp.help / startUp.bare;
  return {
    lines: [
      `the command line (dist/bundle/cli.cjs) to its first answer, default world (median of 7): ${times(startUp.firstAnswer, startUp.bare, process.version)}`,
      `the standalone binary, the same: ${times(startUp.binary, startUp.bareOfBinary, startUp.binaryNode)}`,
      `--version: ${times(startUp.version, startUp.bare, process.version)}; --help: ${times(startUp.help, startUp.bare, process.version)}`,
    ],
    targets: [
      [`the command line's start-up to the first answer: ${cli.toFixed(1)}× node -e 0 (target ≤ 3×)`, cli <= 3, ''],
      [`the binary's start-up to the first answer: ${binary.toFixed(1)}× node -e 0 (target ≤ 2×)`, binary <= 2, ''],
      [`--version: ${version.toFixed(2)}× node -e 0 (target ≤ 1.5×)`, version <= 1.5, ''],
      [`--help: ${help.toFixed(2)}× node -e 0 (target ≤ 1.5×)`, help <= 1.5, ''],
    ],
  };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (a / b).toFixed(2);

/** CPU time a process has used so far (user and system), from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface ConsoleFigures {
  rps: number;
  /** The sandbox's CPU time per request, in µs: what following costs the sandbox itself. */
  cpuUs: number;
  /** The followers' CPU time per request, in µs: what reading the stream costs them, on the same cores. */
  followersCpuUs: number;
  /** What the stream sent each follower per request, in bytes (a request makes one event). */
  bytesPerEvent: number;
}

/**
 * CONSOLES following the event stream (in a process of their own) during the load, against none: short
 * rounds in pairs, taken one right after the other in turns of order, so that both sides of a pair see the
 * same machine; the figure is the median of the pairs' ratios, as the machine's speed drifts between pairs.
 */
const CONSOLES = 5;
const CHATS_LOAD: Load = { method: 'POST', path: '/v2/businesses/2002/chats?limit=20', body: '{}' };
// Thirteen: with seven, runs of the line minutes apart differed by 0.2 on the shared machine.
const CONSOLE_PAIRS = 13;
async function withConsoles(
  sandbox: Server,
  load: Load,
): Promise<{ without: ConsoleFigures; with: ConsoleFigures; ratio: number; ratios: number[] }> {
  const seconds = Math.max(1, Math.round(SECONDS / 2));
  const zero = () => ({ rps: 0, cpu: 0, requests: 0, followersCpu: 0, bytes: 0 });
  const totals = { without: zero(), with: zero() };
  const round = async (into: (typeof totals)['with'], followers?: Server) => {
    const before = cpuMs(sandbox.child.pid!);
    const followersBefore = followers ? cpuMs(followers.child.pid!) : 0;
    const { rps } = await measure(sandbox.url, load, seconds);
    into.rps += rps;
    into.cpu += cpuMs(sandbox.child.pid!) - before;
    if (followers) into.followersCpu += cpuMs(followers.child.pid!) - followersBefore;
    into.requests += rps * seconds;
    return rps;
  };
  const following = async () => {
    const followers = await startServer({ kind: 'followers', url: sandbox.url, count: CONSOLES });
    let rps: number;
    try {
      rps = await round(totals.with, followers);
    } finally {
      await stopServer(followers);
    }
    const read = /READ (\d+)/.exec(followers.output());
    if (!read) throw new Error('the followers stopped without saying what they read');
    totals.with.bytes += Number(read[1]) / CONSOLES;
    return rps;
  };
  const ratios: number[] = [];
  for (let i = 0; i < CONSOLE_PAIRS; i++) {
    if (i % 2) {
      const followed = await following();
      ratios.push(followed / (await round(totals.without)));
    } else {
      const alone = await round(totals.without);
      ratios.push((await following()) / alone);
    }
  }
  const figures = (t: (typeof totals)['with']) => ({
    rps: t.rps / CONSOLE_PAIRS,
    cpuUs: (t.cpu * 1000) / t.requests,
    followersCpuUs: (t.followersCpu * 1000) / t.requests,
    bytesPerEvent: t.bytes / t.requests,
  });
  return { without: figures(totals.without), with: figures(totals.with), ratio: median(ratios), ratios: ratios.sort((a, b) => a - b) };
}

const CONSOLES_TARGET = `getChats with ${CONSOLES} consoles following / without (median of pairs)`;

function printConsoles({ with: following, without: alone, ratios }: Awaited<ReturnType<typeof withConsoles>>): void {
  console.log(
    `getChats with ${CONSOLES} consoles following the event stream (${CONSOLE_PAIRS} pairs of rounds): ${fmt(following.rps)} req/s, ` +
      `${following.cpuUs.toFixed(1)} µs of sandbox CPU a request; without: ${fmt(alone.rps)} req/s, ${alone.cpuUs.toFixed(1)} µs`,
  );
  console.log(
    `  each follower read ${fmt(following.bytesPerEvent)} bytes a request; the followers' process spent ` +
      `${following.followersCpuUs.toFixed(1)} µs of CPU a request`,
  );
  // How far the pairs spread tells how much one run of the line can be trusted on this machine.
  const at = (share: number) => ratios[Math.floor((ratios.length - 1) * share)].toFixed(2);
  console.log(`  the pairs' ratios: ${at(0)} lowest, ${at(0.25)} and ${at(0.75)} the quartiles, ${at(1)} highest`);
}

/** `BENCH_ONLY=consoles`: the consoles line alone (about a minute), to compare changes to the event stream. */
async function consolesOnly(): Promise<void> {
  const reads = await startServer({ kind: 'sandbox', options: { scenario: historyWorld(100_000) } });
  try {
    const consoles = await withConsoles(reads, CHATS_LOAD);
    printConsoles(consoles);
    console.log(`${consoles.ratio >= 0.9 ? 'met   ' : 'MISSED'}  ${CONSOLES_TARGET}: ${consoles.ratio.toFixed(2)} (target ≥ 0.9)`);
  } finally {
    await stopServer(reads);
  }
}

async function main(): Promise<void> {
  console.log(`yandex-market-chats-sandbox benchmark: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
  console.log(`${CONNECTIONS} connections, ${SECONDS} s a load, loopback; journal on, limiter on (quotas far above the load)\n`);
  const rows: Row[] = [];
  const targets: [string, boolean, string][] = [];

  const reads = await startServer({ kind: 'sandbox', options: { scenario: historyWorld(100_000) } });
  const fresh: Row[] = [];
  let consoles: Awaited<ReturnType<typeof withConsoles>> | undefined;
  try {
    const last = await lastPageToken(reads.url, 1000);
    const history = (query: string): Load => ({
      method: 'POST',
      path: `/v2/businesses/1001/chats/history?chatId=1000&limit=100${query}`,
      body: '{}',
    });
    const firstId = answerOf(await call(reads.url, history(''))).result.messages[0].messageId;
    const lastId = answerOf(await call(reads.url, history(`&pageToken=${last}`))).result.messages[0].messageId;
    rows.push(await versusCeiling('getChats, limit 20', reads, CHATS_LOAD));
    rows.push(await versusCeiling('getChatHistory, limit 100, first page (of 100 000)', reads, history('')));
    rows.push(await versusCeiling('getChatHistory, limit 100, last page (of 100 000)', reads, history(`&pageToken=${last}`)));
    // The same work with every answer new: the filter's statuses in another order, the page one message on.
    const orders = permutations([...CHAT_STATUSES]);
    const pageFrom = (from: number) => ({ path: history('').path, body: JSON.stringify({ messageIdFrom: from }) });
    fresh.push(
      await versusCeiling('getChats, limit 20, each answer new', reads, {
        ...CHATS_LOAD,
        vary: (n) => ({ path: CHATS_LOAD.path, body: JSON.stringify({ statuses: orders[n % orders.length] }) }),
      }),
    );
    fresh.push(
      await versusCeiling('getChatHistory, limit 100, first pages, each new', reads, {
        ...history(''),
        vary: (n) => pageFrom(firstId + (n % 5000)),
      }),
    );
    fresh.push(
      await versusCeiling('getChatHistory, limit 100, last pages, each new', reads, {
        ...history(''),
        vary: (n) => pageFrom(lastId - (n % 5000)),
      }),
    );
    rows.push(...fresh);
    consoles = await withConsoles(reads, CHATS_LOAD);
    rows.push(
      await versusCeiling('sendMessageToChat, in memory', reads, {
        method: 'POST',
        path:
          '/v2/businesses/2002/chats/message?chatId=' +
          answerOf(
            await call(reads.url, {
              method: 'POST',
              path: '/v2/businesses/2002/chats?limit=1',
              body: '{"statuses":["WAITING_FOR_PARTNER"]}',
            }),
          ).result.chats[0].chatId,
        body: '{"message":"Здравствуйте! Заказ передан в доставку."}',
      }),
    );
  } finally {
    await stopServer(reads);
  }

  const dir = mkdtempSync(join(tmpdir(), 'ymcs-bench-'));
  const persisted: Record<number, { row: Row; loadMs: number; rss?: number }> = {};
  try {
    for (const messages of [10_000, 1_000_000]) {
      const options: SandboxOptions = { scenario: historyWorld(messages), db: join(dir, `world-${messages}.json`) };
      const server = await startServer({ kind: 'sandbox', options });
      try {
        const rss = rssMb(server.child.pid!);
        const load: Load = {
          method: 'POST',
          path: '/v2/businesses/1001/chats/message?chatId=1000',
          body: '{"message":"Здравствуйте! Заказ передан в доставку."}',
        };
        persisted[messages] = {
          row: await versusCeiling(`sendMessageToChat, --db, ${fmt(messages)} messages`, server, load),
          loadMs: server.startedInMs,
          rss,
        };
        rows.push(persisted[messages].row);
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const many = await manyBusinesses();

  const startUp = await startUpRatios();
  const memoryWorld = await startServer({ kind: 'sandbox', options: { scenario: historyWorld(1_000_000) } });
  const millionRss = rssMb(memoryWorld.child.pid!);
  const millionLoadMs = memoryWorld.startedInMs;
  await stopServer(memoryWorld);
  const largest = await largestWorldWaits();
  const traffic = await trafficCost();

  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(
    `${'load'.padEnd(width)}  ${'sandbox req/s'.padStart(13)}  ${'p99 ms'.padStart(6)}  ${'ceiling req/s'.padStart(13)}  ${'p99 ms'.padStart(6)}  ratio`,
  );
  for (const { name, sandbox, ceiling } of rows) {
    console.log(
      `${name.padEnd(width)}  ${fmt(sandbox.rps).padStart(13)}  ${String(sandbox.p99).padStart(6)}  ${fmt(ceiling.rps).padStart(13)}  ${String(ceiling.p99).padStart(6)}  ${ratio(sandbox.rps, ceiling.rps)}`,
    );
  }
  const [chats, first, lastPage] = rows;
  const [freshChats, freshFirst, freshLast] = fresh;
  const writes = persisted[1_000_000].row.sandbox.rps / persisted[10_000].row.sandbox.rps;
  console.log('');
  const startUpReport = startUpLines(startUp);
  for (const line of startUpReport.lines) console.log(line);
  console.log(`1 000 000-message world (scenario): listening after ${fmt(millionLoadMs)} ms, resident memory ${millionRss ?? 'n/a'} MB`);
  console.log(
    `1 000 000-message world with --db: first start (generate + first snapshot) ${fmt(persisted[1_000_000].loadMs)} ms, resident memory ${persisted[1_000_000].rss ?? 'n/a'} MB`,
  );
  for (const line of largestWorldLines(largest)) console.log(line);
  console.log(
    `${fmt(many.count)} businesses touched once each, 2 at a time: first call p50 ${many.p50.toFixed(1)} ms, p99 ${many.p99.toFixed(1)} ms; resident memory at most ${many.rss} MB`,
  );
  printConsoles(consoles);
  console.log('');
  for (const [name, value, min] of [
    ['reads vs ceiling: getChats', chats.sandbox.rps / chats.ceiling.rps, 0.7],
    ['reads vs ceiling: getChatHistory first page', first.sandbox.rps / first.ceiling.rps, 0.7],
    ['reads vs ceiling: getChatHistory last page', lastPage.sandbox.rps / lastPage.ceiling.rps, 0.7],
    ['reads vs ceiling, each answer new: getChats', freshChats.sandbox.rps / freshChats.ceiling.rps, 0.7],
    ['reads vs ceiling, each answer new: getChatHistory first pages', freshFirst.sandbox.rps / freshFirst.ceiling.rps, 0.7],
    ['reads vs ceiling, each answer new: getChatHistory last pages', freshLast.sandbox.rps / freshLast.ceiling.rps, 0.7],
    ['history last page / first page', lastPage.sandbox.rps / first.sandbox.rps, 0.9],
    ['history last pages / first pages, each new', freshLast.sandbox.rps / freshFirst.sandbox.rps, 0.9],
    ['persisted writes, 1 000 000 / 10 000 messages', writes, 0.8],
    [CONSOLES_TARGET, consoles.ratio, 0.9],
  ] as const) {
    targets.push([`${name}: ${value.toFixed(2)} (target ≥ ${min})`, value >= min, '']);
  }
  targets.push(...startUpReport.targets);
  targets.push([`1 000 000-message world loads in ${fmt(millionLoadMs)} ms (target < 5000 ms)`, millionLoadMs < 5000, '']);
  for (const [text, met] of trafficLines(traffic)) targets.push([text, met, '']);
  for (const { name, loadMs, resetMs } of largest) {
    const longest = Math.max(loadMs, resetMs);
    targets.push([`largest world ${name}: other requests wait at most ${fmt(longest)} ms (target < 100 ms)`, longest < 100, '']);
  }
  targets.push([`${fmt(many.count)} businesses: resident memory ${many.rss} MB (target < 400 MB)`, many.rss < 400, '']);
  targets.push([`first call on a new business: p99 ${many.p99.toFixed(1)} ms (target < 20 ms)`, many.p99 < 20, '']);
  for (const [text, met] of targets) console.log(`${met ? 'met   ' : 'MISSED'}  ${text}`);
}

/**
 * The longest another request waits while the largest world allowed is loaded by PUT, then reset: health is
 * asked one call after another all along, in memory and with --db (whose snapshot is written then).
 */
async function largestWorldWaits(): Promise<{ name: string; loadMs: number; resetMs: number }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ymcs-bench-'));
  const found = [];
  try {
    for (const [name, options] of [
      ['in memory', {}],
      ['with --db', { db: join(dir, 'world.json') }],
    ] as const) {
      const server = await startServer({ kind: 'sandbox', options });
      const longestWait = async (change: () => Promise<Response>) => {
        let done = false;
        const changing = change().finally(() => (done = true));
        let longest = 0;
        while (!done) {
          const asked = performance.now();
          await (await fetch(`${server.url}/__sandbox/health`)).arrayBuffer();
          longest = Math.max(longest, performance.now() - asked);
        }
        if (!(await changing).ok) throw new Error(`${name}: the largest world was refused`);
        return longest;
      };
      try {
        const body = JSON.stringify(historyWorld(1_000_000));
        const loadMs = await longestWait(() => fetch(`${server.url}/__sandbox/scenario`, { method: 'PUT', body, headers: HEADERS }));
        const resetMs = await longestWait(() => fetch(`${server.url}/__sandbox/reset`, { method: 'POST', body: '{}', headers: HEADERS }));
        found.push({ name, loadMs, resetMs });
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return found;
}

/** `BENCH_ONLY=largest`: the largest world's lines alone. */
async function largestOnly(): Promise<void> {
  for (const line of largestWorldLines(await largestWorldWaits())) console.log(line);
}

const largestWorldLines = (waits: Awaited<ReturnType<typeof largestWorldWaits>>) =>
  waits.map(
    ({ name, loadMs, resetMs }) =>
      `largest world (1 000 000 messages) ${name}: the longest another request waited, loading it by PUT ${fmt(loadMs)} ms, resetting it ${fmt(resetMs)} ms`,
  );

/** How often the traffic line measures each baseline (the median and the lowest are told). */
const TRAFFIC_ROUNDS = 5;

/**
 * Traffic against the reference bot answering at once: 10 new chats a second, three messages each, measured in a
 * steady state (a 15-second run first warms the sandbox up, as a sale day's first minutes do; then
 * TRAFFIC_SECONDS, default 60, are measured). The answer time p99, and the sandbox's own CPU per buyer message
 * against a getChats call's made at the run's pace of HTTP exchanges: a process woken 145 times a second pays
 * about twice as much per call as one kept busy, so a back-to-back getChats is told too, but is not what a buyer
 * message is compared with. What any Node process pays at that pace (a bare Fastify route's answer, a
 * bare node:http push) gives the floor under the run's exchanges.
 */
async function trafficCost(): Promise<TrafficCost> {
  const seconds = Number(process.env.TRAFFIC_SECONDS ?? 60);
  const traffic = (duration: number) => ({
    duration: `${duration}s`,
    chats: { perMinute: 600 },
    messages: { perChat: { min: 3, max: 3 }, replyAfter: { min: '0ms', max: '0ms' } },
  });
  const server = await startServer({ kind: 'sandbox', options: { scenario: { rateLimits: HIGH_LIMITS } } });
  const bot = await startReferenceBot({ api: server.url, catchUp: false });
  try {
    const pid = server.child.pid!;
    const finished = async () => {
      let report: TrafficReport;
      do {
        await sleep(1000);
        report = ((await (await fetch(`${server.url}/__sandbox/traffic`)).json()) as { result: TrafficReport }).result;
      } while (report.state !== 'finished');
      return report;
    };
    const warmUp = { ...traffic(15), start: { on: 'webhook' } };
    const put = await fetch(`${server.url}/__sandbox/scenario`, {
      method: 'PUT',
      headers: HEADERS,
      body: JSON.stringify({ rateLimits: HIGH_LIMITS, webhook: { url: bot.url }, traffic: warmUp }),
    });
    if (!put.ok) throw new Error(`traffic scenario refused: ${await put.text()}`);
    await finished();
    const before = cpuMs(pid);
    // The bot answers in this process, which does little else meanwhile (a poll a second).
    const botBefore = process.cpuUsage();
    const started = await fetch(`${server.url}/__sandbox/traffic/start`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(traffic(seconds)),
    });
    if (!started.ok) throw new Error(`traffic refused: ${await started.text()}`);
    const report = await finished();
    const usedUs = (cpuMs(pid) - before) * 1000;
    const botUsed = process.cpuUsage(botBefore);
    // What a buyer message sets going: its pushes (the partner's answer is pushed too) and the bot's calls.
    const calls = Object.values(report.partnerCalls).reduce(
      (n, counts) => n + counts['2xx'] + counts['420'] + counts['4xx'] + counts['5xx'],
      0,
    );
    const pushes = report.pushes.delivered + report.pushes.failed;
    const runMs = Date.parse(report.finishedAt!) - Date.parse(report.startedAt!);
    const perSecond = ((pushes + calls) * 1000) / runMs;
    const getChats: Load = { method: 'POST', path: '/v2/businesses/1001/chats?limit=20', body: '{}' };
    const paced: number[] = [];
    const busy: number[] = [];
    const floor = { answers: [] as number[], pushes: [] as number[] };
    // A bare Fastify route that answers as a webhook does: pushed to, and called, at the run's pace.
    const receiver = await startServer({ kind: 'ceiling', body: '{"version":"1.0","name":"bench","time":"2026-12-05T10:00:00Z"}' });
    const notification: Load = { method: 'POST', path: '/notification', body: '{}' };
    try {
      // Each round measures every figure once, one right after the other, so that all see the same machine.
      for (let round = 0; round < TRAFFIC_ROUNDS; round++) {
        paced.push(await cpuPerCall(pid, () => call(server.url, getChats), perSecond));
        busy.push(await cpuPerCall(pid, () => call(server.url, getChats), Infinity));
        floor.answers.push(await cpuPerCall(receiver.child.pid!, () => call(receiver.url, notification), perSecond));
        floor.pushes.push(await barePush(`${receiver.url}/notification`, perSecond));
      }
    } finally {
      await stopServer(receiver);
    }
    return {
      p99: report.answerTimeMs.p99,
      buyerMessages: report.buyerMessages,
      perMessageUs: usedUs / report.buyerMessages,
      botPerMessageUs: (botUsed.user + botUsed.system) / report.buyerMessages,
      pushesPerMessage: pushes / report.buyerMessages,
      callsPerMessage: calls / report.buyerMessages,
      perSecond,
      getChatsUs: { paced, busy },
      floor,
    };
  } finally {
    await bot.close();
    await stopServer(server);
  }
}

interface TrafficCost {
  p99: number;
  buyerMessages: number;
  perMessageUs: number;
  /** The reference bot's own CPU per buyer message: the partner's side of the same exchanges. */
  botPerMessageUs: number;
  pushesPerMessage: number;
  callsPerMessage: number;
  /** The run's HTTP exchanges (pushes and the bot's calls) a second. */
  perSecond: number;
  /** A getChats call's cost to the sandbox, each round's: at the run's pace, and back to back. */
  getChatsUs: { paced: number[]; busy: number[] };
  /** What a bare Node process pays at the run's pace, each round's: a Fastify route's answer, and a node:http push. */
  floor: { answers: number[]; pushes: number[] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The CPU a process spends per call of `send`, made `perSecond` times a second (Infinity: back to back) for 3 s. */
async function cpuPerCall(pid: number, send: () => Promise<unknown>, perSecond: number): Promise<number> {
  const before = cpuMs(pid);
  const calls = await atPace(send, perSecond);
  return ((cpuMs(pid) - before) * 1000) / calls;
}

/** The CPU a bare process spends per push with node:http, pushing `perSecond` times a second for 3 s. */
async function barePush(url: string, perSecond: number): Promise<number> {
  const pusher = await startServer({ kind: 'pusher', url, perSecond });
  await new Promise((resolve) => pusher.child.once('close', resolve));
  return Number(/PUSHED (\d+)/.exec(pusher.output())![1]);
}

function trafficLines(cost: TrafficCost): [string, boolean][] {
  const paced = median(cost.getChatsUs.paced);
  const busy = median(cost.getChatsUs.busy);
  const ratio = cost.perMessageUs / paced;
  const exchanges = cost.pushesPerMessage + cost.callsPerMessage;
  const answerUs = median(cost.floor.answers);
  const pushUs = median(cost.floor.pushes);
  const floorUs = cost.pushesPerMessage * pushUs + cost.callsPerMessage * answerUs;
  const spread = (values: number[]) => `median of ${values.length} rounds; lowest ${fmt(Math.min(...values))} µs`;
  return [
    [
      `traffic, 10 chats/s with the reference bot: answer time p99 ${cost.p99} ms over ${fmt(cost.buyerMessages)} buyer messages (target < 100 ms)`,
      cost.p99 < 100,
    ],
    [
      `traffic: the sandbox's CPU per buyer message ${fmt(cost.perMessageUs)} µs, ${ratio.toFixed(1)}× a getChats call's at the run's pace ` +
        `of ${fmt(cost.perSecond)} exchanges a second (${fmt(paced)} µs, ${spread(cost.getChatsUs.paced)}; target ≤ 3×)`,
      ratio <= 3,
    ],
    [
      `traffic: the reference bot's CPU per buyer message ${fmt(cost.botPerMessageUs)} µs, the sandbox's ` +
        `${(cost.perMessageUs / cost.botPerMessageUs).toFixed(2)}× that (told, no target)`,
      true,
    ],
    [
      `traffic: a getChats call back to back ${fmt(busy)} µs (${spread(cost.getChatsUs.busy)}); ` +
        `the buyer message is ${(cost.perMessageUs / busy).toFixed(1)}× that (told, no target)`,
      true,
    ],
    [
      `traffic: ${exchanges.toFixed(2)} HTTP exchanges per buyer message (${cost.pushesPerMessage.toFixed(2)} pushes, ` +
        `${cost.callsPerMessage.toFixed(2)} calls), ${fmt(cost.perMessageUs / exchanges)} µs of the sandbox's CPU each; at that pace a bare ` +
        `Fastify answer costs ${fmt(answerUs)} µs and a bare node:http push ${fmt(pushUs)} µs, a floor of ` +
        `${fmt(floorUs)} µs per buyer message, ${(floorUs / paced).toFixed(1)}× the paced getChats (told, no target)`,
      true,
    ],
  ];
}

/** `BENCH_ONLY=traffic`: the traffic lines alone. */
async function trafficOnly(): Promise<void> {
  for (const [text, met] of trafficLines(await trafficCost())) console.log(`${met ? 'met   ' : 'MISSED'}  ${text}`);
}

/** `BENCH_ONLY=startup`: the start-up lines alone, against a bare node -e 0. */
async function startUpOnly(): Promise<void> {
  const { lines, targets } = startUpLines(await startUpRatios());
  for (const line of lines) console.log(line);
  for (const [text, met] of targets) console.log(`${met ? 'met   ' : 'MISSED'}  ${text}`);
}

if (process.env.BENCH_ONLY === 'consoles') await consolesOnly();
else if (process.env.BENCH_ONLY === 'startup') await startUpOnly();
else if (process.env.BENCH_ONLY === 'largest') await largestOnly();
else if (process.env.BENCH_ONLY === 'traffic') await trafficOnly();
else await main();
