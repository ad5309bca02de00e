/** The command line: flags and environment → options → startSandbox(); banner; signals; exit codes. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// Only what --help, --version and healthcheck need is loaded up front: the sandbox itself when it starts.
import { isEveryInterface } from './model/addresses.js';
import { DEFAULT_SEED } from './model/records.js';
import { timeOutOfBounds } from './model/time.js';
import { pointsAtItself, selfLoopMessage } from './notifications/self-address.js';
import { packageVersion, versionLine } from './package-root.js';
import { MARKET_URL } from './contract/operations.js';
import type { Sandbox, SandboxOptions, TrafficReport, Verdict } from './index.js';

const NAME = 'yandex-market-chats-sandbox';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** How long the healthcheck waits for an answer: a CI runner's check must never hang. */
const HEALTHCHECK_TIMEOUT_MS = 2000;

const HELP = `Usage: ${NAME} [options]
       ${NAME} healthcheck [--port N] [--host ADDR]
       ${NAME} drift --token T --business ID [--upstream URL] [--max-calls N] [--json]

A local, stateful sandbox of the Yandex Market partner API's chat methods.

Options (each also read from the environment variable in brackets):
  --port N            TCP port to listen on, 0 for any free one       [PORT]  (default 8080)
  --host ADDR         address to listen on                            [HOST]  (default 127.0.0.1)
  --scenario FILE     play a scenario file (YAML or JSON); give it again to add more, later files
                      extend and override earlier ones      [SANDBOX_SCENARIO, comma-separated]
  --db FILE           persist the world to this JSON file and reload it on the next start
                                                                      [SANDBOX_DB]  (default: in memory)
  --seed N            seed of generated worlds; ${DEFAULT_SEED} is the committed default world
                                                                      [SANDBOX_SEED]
  --webhook URL       push Market's chat notifications (CHAT_CREATED, CHAT_MESSAGE_SENT…) to this URL
                                                                      [SANDBOX_WEBHOOK]
  --no-rate-limits    turn off Market's request limits                [SANDBOX_RATE_LIMITS=off]
  --v2-only           serve only the /v2/businesses/… paths: the older unprefixed ones answer 404,
                      as Market announces they will                   [SANDBOX_PATHS=v2-only]
  --report FILE       when stopped, write the integration report, conversations and traffic as JUnit XML to FILE, and exit
                      with code 1 if the report has an error-severity finding, a conversation failed or never
                      finished, or a traffic run's verdict is not passed [SANDBOX_REPORT]
  --clock TIME        start the sandbox's clock at this ISO 8601 time (2026-11-11T09:00:00+03:00)
                      and lay the world's times out from it            [SANDBOX_CLOCK]  (default: now)
  --clock-frozen      time moves only when it is moved (POST /__sandbox/clock), so that runs repeat
                      byte for byte                                   [SANDBOX_CLOCK_FROZEN=true]
  --control-token T   every /__sandbox route but health and payload links needs it: Authorization:
                      Bearer T (?token=T where a browser sends none)  [SANDBOX_CONTROL_TOKEN]
  --upstream URL      proxy mode: forward the partner's calls to this server (Market's is
                      ${MARKET_URL}) and answer with what it answers, each
                      answer checked against the contract (X-Sandbox-Drift)  [SANDBOX_UPSTREAM]
  --upstream-writes   forward createChat, sendMessageToChat and sendFileToChat too; by default they
                      are held back: checked, answered by the sandbox, never sent
                                                          [SANDBOX_UPSTREAM_WRITES=true]
  --record FILE       with --upstream: when stopped, write what the upstream answered to FILE as a
                      scenario (buyers made anonymous)                [SANDBOX_RECORD]
  --record-raw        record buyers' names, ids, texts and file names as they are
                                                              [SANDBOX_RECORD_RAW=true]
  --log-level LEVEL   ${LOG_LEVELS.join(', ')}: warn prints warnings and errors;
                      info adds the server's own lines, debug a line per request
                                                                      [SANDBOX_LOG_LEVEL]  (default warn)
  -h, --help          print this help and exit
  -v, --version       print the version and exit

healthcheck: exits 0 when a sandbox answers GET /__sandbox/health on the port and host that --port and
--host (or PORT and HOST) name, 1 otherwise, within ${HEALTHCHECK_TIMEOUT_MS / 1000} s; for a container's HEALTHCHECK, no curl needed.

drift: runs only reads against the upstream (Market by default) and a fresh sandbox, the same calls on both
(getChats through its pages, getChat, getChatHistory, getChatMessage, an unknown chat, a malformed request),
and prints where the answers differ; --json for CI. Exits 0 when nothing a client relies on differs, 1 when
something does, 2 on bad usage or an upstream that cannot be reached. --token is Market's API key (sent as
Api-Key; "Bearer …" is sent as Authorization) [SANDBOX_UPSTREAM_TOKEN]; --max-calls (default 100) bounds
the calls to the upstream; a 420 is waited out when its quota renews within 2 minutes.

A scenario is a file, or a ready-made one by its name: --scenario rate-limits (SANDBOX_SCENARIO=rate-limits,disputes).
Flags win over environment variables. Bad flags exit with code 2 and start nothing.
Docs: once started, Swagger UI is at /docs and the OpenAPI document at /openapi.json.`;

class UsageError extends Error {}

/** Asks a running sandbox whether it is up: 0 when GET /__sandbox/health answers 200, 1 otherwise. */
async function healthcheck(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = integer('--port', values.port ?? env.PORT ?? '8080', 1, 65535);
  const listening = values.host ?? env.HOST ?? '127.0.0.1';
  // A sandbox listening on every interface is asked on loopback.
  const host = isEveryInterface(listening) ? '127.0.0.1' : listening;
  const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/__sandbox/health`;
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(HEALTHCHECK_TIMEOUT_MS) });
    process.stdout.write(`${url}: ${answer.status}\n`);
    return answer.status === 200 ? 0 : 1;
  } catch (error) {
    process.stdout.write(`${url}: no answer (${(error as Error).message})\n`);
    return 1;
  }
}

/** The drift check: 0 when nothing a client relies on differs, 1 when something does, 2 when it could not be made. */
async function drift(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        upstream: { type: 'string' },
        token: { type: 'string' },
        business: { type: 'string' },
        'max-calls': { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const upstream = values.upstream ?? env.SANDBOX_UPSTREAM ?? MARKET_URL;
  if (!isHttpUrl(upstream)) throw new UsageError(`--upstream: must be an http:// or https:// URL (got "${upstream}")`);
  const token = values.token ?? env.SANDBOX_UPSTREAM_TOKEN;
  if (!token?.trim()) throw new UsageError("drift: --token is needed: Market's API key for the business");
  if (values.business === undefined) throw new UsageError('drift: --business is needed: the business (cabinet) id to read');
  const businessId = integer('--business', values.business, 1, Number.MAX_SAFE_INTEGER);
  const maxCalls = integer('--max-calls', values['max-calls'] ?? '100', 1, 10_000);
  const { driftCheck, driftTable, DriftCheckError } = await import('./drift-check.js');
  try {
    const result = await driftCheck({ upstream, token, businessId, maxCalls });
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : driftTable(result));
    return result.reliedOn ? 1 : 0;
  } catch (error) {
    if (!(error instanceof DriftCheckError)) throw error;
    process.stderr.write(`${NAME} drift: ${error.message}\n`);
    return 2;
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${name}: must be an integer from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

/** A time as the scenario's and the control API's date-times are written: ISO 8601 with Z or an offset. */
function isInstant(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

type Parsed =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: SandboxOptions & { port: number; scenario?: string[] }; report?: string; record?: string };

/** A boolean from the environment: true or false (1 or 0), undefined when not set. */
function flag(name: string, env: NodeJS.ProcessEnv): boolean | undefined {
  const text = env[name]?.toLowerCase();
  if (text === undefined) return undefined;
  if (!['true', 'false', '1', '0'].includes(text)) throw new UsageError(`${name}: must be true or false (got "${env[name]}")`);
  return ['true', '1'].includes(text);
}

function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        seed: { type: 'string' },
        webhook: { type: 'string' },
        'no-rate-limits': { type: 'boolean' },
        'v2-only': { type: 'boolean' },
        report: { type: 'string' },
        clock: { type: 'string' },
        'control-token': { type: 'string' },
        'clock-frozen': { type: 'boolean' },
        'log-level': { type: 'string' },
        upstream: { type: 'string' },
        'upstream-writes': { type: 'boolean' },
        record: { type: 'string' },
        'record-raw': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const port = values.port ?? env.PORT;
  const seed = values.seed ?? env.SANDBOX_SEED;
  // The banner says where everything is; requests are read in the journal and the console, not the log.
  const logLevel = values['log-level'] ?? env.SANDBOX_LOG_LEVEL ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level: must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const limitsEnv = env.SANDBOX_RATE_LIMITS?.toLowerCase();
  if (limitsEnv !== undefined && !['on', 'off'].includes(limitsEnv)) {
    throw new UsageError(`SANDBOX_RATE_LIMITS: must be on or off (got "${env.SANDBOX_RATE_LIMITS}")`);
  }
  const pathsEnv = env.SANDBOX_PATHS?.toLowerCase();
  if (pathsEnv !== undefined && !['both', 'v2-only'].includes(pathsEnv)) {
    throw new UsageError(`SANDBOX_PATHS: must be both or v2-only (got "${env.SANDBOX_PATHS}")`);
  }
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  if (!host.trim()) throw new UsageError('--host: must not be empty');
  const scenario = values.scenario ?? env.SANDBOX_SCENARIO?.split(',').filter((f) => f.trim());
  if (scenario?.some((f) => !f.trim())) throw new UsageError('--scenario: must name a file');
  const webhook = values.webhook ?? env.SANDBOX_WEBHOOK;
  if (webhook !== undefined && !isHttpUrl(webhook))
    throw new UsageError(`--webhook: must be an http:// or https:// URL (got "${webhook}")`);
  const portNumber = port === undefined ? 8080 : integer('--port', port, 0, 65535);
  if (webhook !== undefined && pointsAtItself(webhook, { host, port: portNumber })) {
    throw new UsageError(`--${selfLoopMessage(webhook, { host, port: portNumber })}`);
  }
  const db = values.db ?? env.SANDBOX_DB;
  if (db !== undefined && !db.trim()) throw new UsageError('--db: must name a file');
  const report = values.report ?? env.SANDBOX_REPORT;
  if (report !== undefined && !report.trim()) throw new UsageError('--report: must name a file');
  const clockStart = values.clock ?? env.SANDBOX_CLOCK;
  if (clockStart !== undefined && !isInstant(clockStart)) {
    throw new UsageError(`--clock: must be an ISO 8601 time with its offset, e.g. 2026-11-11T09:00:00+03:00 (got "${clockStart}")`);
  }
  const out = clockStart === undefined ? undefined : timeOutOfBounds(Date.parse(clockStart));
  if (out) throw new UsageError(`--clock: ${out} (got "${clockStart}")`);
  const controlToken = values['control-token'] ?? env.SANDBOX_CONTROL_TOKEN;
  if (controlToken !== undefined && !/^[\x21-\x7e]{8,200}$/.test(controlToken)) {
    throw new UsageError('--control-token: must be 8 to 200 printable characters, no spaces');
  }
  const frozenEnv = env.SANDBOX_CLOCK_FROZEN?.toLowerCase();
  if (frozenEnv !== undefined && !['true', 'false', '1', '0'].includes(frozenEnv)) {
    throw new UsageError(`SANDBOX_CLOCK_FROZEN: must be true or false (got "${env.SANDBOX_CLOCK_FROZEN}")`);
  }
  const frozen = values['clock-frozen'] ?? (frozenEnv === undefined ? undefined : ['true', '1'].includes(frozenEnv));
  const upstream = values.upstream ?? env.SANDBOX_UPSTREAM;
  if (upstream !== undefined && !isHttpUrl(upstream)) {
    throw new UsageError(`--upstream: must be an http:// or https:// URL (got "${upstream}")`);
  }
  if (upstream !== undefined && pointsAtItself(upstream, { host, port: portNumber })) {
    throw new UsageError(`--upstream: ${upstream} is this sandbox itself`);
  }
  const writes = values['upstream-writes'] ?? flag('SANDBOX_UPSTREAM_WRITES', env);
  const record = values.record ?? env.SANDBOX_RECORD;
  if (record !== undefined && !record.trim()) throw new UsageError('--record: must name a file');
  const recordRaw = values['record-raw'] ?? flag('SANDBOX_RECORD_RAW', env);
  for (const [name, given] of [
    ['--upstream-writes', writes],
    ['--record', record],
    ['--record-raw', recordRaw],
  ] as const) {
    if (given !== undefined && given !== false && upstream === undefined) throw new UsageError(`${name}: needs --upstream`);
  }
  return {
    kind: 'run',
    report,
    record,
    options: {
      port: portNumber,
      host,
      db,
      scenario: scenario?.length ? scenario : undefined,
      seed: seed === undefined ? undefined : integer('--seed', seed, 0, Number.MAX_SAFE_INTEGER),
      webhook,
      rateLimits: !(values['no-rate-limits'] ?? limitsEnv === 'off'),
      paths: values['v2-only'] ? 'v2-only' : (pathsEnv as 'both' | 'v2-only' | undefined),
      clock: { start: clockStart === undefined ? undefined : Date.parse(clockStart), frozen },
      controlToken: controlToken || undefined,
      logLevel,
      upstream: upstream === undefined ? undefined : { url: upstream, writes: writes ?? false },
      recordRaw,
    },
  };
}

/** A line a conversation, for a person at a terminal; nothing when the scenario has none. */
function conversationsSummary(verdicts: Verdict[]): string {
  if (!verdicts.length) return '';
  const passed = verdicts.filter((v) => v.state === 'passed').length;
  const lines = verdicts.map((v) => `  ${v.state.padEnd(7)} ${v.name}${v.reason ? `: ${v.reason}` : ''}`);
  return `Conversations: ${passed} of ${verdicts.length} passed\n${lines.join('\n')}\n`;
}

function trafficSummary(traffic: TrafficReport): string {
  if (traffic.state === 'none') return '';
  const { verdict, answerTimeMs } = traffic;
  const figures = `${traffic.chats} chats, ${traffic.answered} of ${traffic.buyerMessages} buyer messages answered, p95 ${answerTimeMs.p95} ms`;
  return `Traffic: ${traffic.state}, ${verdict.state} (${figures})\n${verdict.reasons.map((reason) => `  ${reason}\n`).join('')}`;
}

function banner(sandbox: Sandbox, options: SandboxOptions & { scenario?: string[] }, record?: string): string {
  const scenarioFiles = options.scenario ?? [];
  const limits = options.rateLimits ? sandbox.limits : 'off (--no-rate-limits)';
  // In proxy mode the call goes to the upstream: the partner's own business and key, not the sandbox's.
  const [tryBusiness, tryKey] = sandbox.upstream
    ? ['YOUR_BUSINESS_ID', '"Api-Key: $YOUR_MARKET_KEY"']
    : [sandbox.businessId, `'Api-Key: ${sandbox.token}'`];
  return [
    `Yandex Market chats sandbox ${packageVersion()}`,
    `  API       ${sandbox.url}  (operations under ${sandbox.paths === 'v2-only' ? '/v2/businesses/… only' : '/v2/businesses/… and /businesses/…'})`,
    options.controlToken
      ? `  Console   ${sandbox.url}/__sandbox/console/?token=…  (the control token is needed: give it once in the address)`
      : `  Console   ${sandbox.url}/  (open it in a browser: chats, requests, notifications, scenario, limits, live)`,
    `  Docs      ${sandbox.url}/docs  (OpenAPI: ${sandbox.url}/openapi.json)`,
    ...(sandbox.upstream
      ? [
          "  Token     your own: the partner's Api-Key or Authorization goes on to the upstream as sent",
          "  Limits    the upstream's: its X-RateLimit headers and 420s come back as they are",
        ]
      : [
          `  Token     Api-Key: ${sandbox.token}  (any non-empty token works)`,
          `  Business  ${sandbox.businessId}  (any other id gets a generated world of its own)`,
          `  Limits    ${limits}`,
        ]),
    `  Store     ${options.db ?? 'in memory'}`,
    `  Clock     ${sandbox.clock.now().toISOString()}${sandbox.clock.frozen ? ' (frozen)' : ''}  (move it: POST ${sandbox.url}/__sandbox/clock {"advance":"1h"})`,
    ...(sandbox.webhook ? [`  Webhook   ${sandbox.webhook}  (log: ${sandbox.url}/__sandbox/notifications)`] : []),
    ...(sandbox.upstream
      ? [
          `  Upstream  ${sandbox.upstream.url}  (proxy: calls forwarded, answers checked against the contract)`,
          sandbox.upstream.writes === 'forwarded'
            ? '  Writes    FORWARDED: createChat, sendMessageToChat and sendFileToChat reach the upstream (--upstream-writes)'
            : '  Writes    held back: createChat, sendMessageToChat and sendFileToChat are answered by the sandbox, never sent',
        ]
      : []),
    ...(record ? [`  Record    ${record}  (written when stopped; now: ${sandbox.url}/__sandbox/recording?format=yaml)`] : []),
    ...(scenarioFiles.length ? [`  Scenario  ${sandbox.scenarioName ?? scenarioFiles.join(', ')}  (${scenarioFiles.join(', ')})`] : []),
    `  Try       curl -X POST ${sandbox.url}/v2/businesses/${tryBusiness}/chats -H ${tryKey} -H 'Content-Type: application/json' -d '{}'`,
    '',
  ].join('\n');
}

/** Runs the command line; resolves with its exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: Parsed;
  try {
    if (argv[0] === 'healthcheck') return await healthcheck(argv.slice(1), env);
    if (argv[0] === 'drift') return await drift(argv.slice(1), env);
    parsed = parseCommandLine(argv, env);
  } catch (error) {
    process.stderr.write(`${NAME}: ${(error as Error).message}\nTry '${NAME} --help'.\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  const [
    { startSandbox },
    { ScenarioError },
    { WorldStoreError },
    { reportSuite, reportSummary },
    { conversationsSuite },
    { junitDocument },
    { trafficSuite },
    { stringify: stringifyYaml },
  ] = await Promise.all([
    import('./index.js'),
    import('./scenario/load.js'),
    import('./store/world-store.js'),
    import('./report/report.js'),
    import('./conversations/junit.js'),
    import('./model/junit.js'),
    import('./traffic/junit.js'),
    import('yaml'),
  ]);
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(parsed.options);
  } catch (error) {
    const prefix = error instanceof WorldStoreError ? '--db ' : error instanceof ScenarioError ? '--scenario ' : '';
    process.stderr.write(`${NAME}: ${prefix}${(error as Error).message}\n`);
    return prefix ? 2 : 1;
  }
  // A reader of its output that went away (a closed pipe) must not keep it from stopping well and writing its world out.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.stdout.write(banner(sandbox, parsed.options, parsed.record));
  let failed = false;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      // Before closing: the report is made from the journal and the notification log as they are.
      const report = sandbox.report();
      const conversations = sandbox.conversations();
      const traffic = sandbox.traffic();
      process.stdout.write(reportSummary(report) + conversationsSummary(conversations) + trafficSummary(traffic));
      if (parsed.report) {
        failed =
          report.findings.some((finding) => finding.severity === 'error') ||
          conversations.some((c) => c.state === 'failed' || c.state === 'running') ||
          (traffic.state !== 'none' && traffic.verdict.state !== 'passed');
        try {
          const suites = [reportSuite(report), conversationsSuite(conversations)];
          if (traffic.state !== 'none') suites.push(trafficSuite(traffic));
          writeFileSync(parsed.report, junitDocument(suites));
        } catch (error) {
          process.stderr.write(`${NAME}: --report ${(error as Error).message}\n`);
          failed = true;
        }
      }
      const recording = parsed.record && sandbox.recording();
      if (parsed.record && recording) {
        try {
          writeFileSync(parsed.record, stringifyYaml(recording));
          process.stdout.write(
            `Recording: ${recording.data?.businesses.reduce((n, b) => n + (Array.isArray(b.chats) ? b.chats.length : 0), 0) ?? 0} chats written to ${parsed.record}\n`,
          );
        } catch (error) {
          process.stderr.write(`${NAME}: --record ${(error as Error).message}\n`);
          failed = true;
        }
      }
      process.stdout.write(`${signal}: writing the world out and stopping\n`);
      process.once(signal, () => process.exit(130));
      sandbox.close().then(resolve, (error: Error) => {
        process.stderr.write(`${NAME}: ${error.message}\n`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return failed ? 1 : 0;
}
