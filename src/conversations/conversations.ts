/**
 * Scripted buyers who test the partner's bot: each conversation is a buyer in one chat who plays its steps
 * (say, expect, wait, dispute, status), branches on what the partner wrote, and ends passed or failed with
 * every step's outcome and how long each answer took. The buyer acts through the buyer side, so statuses move
 * and push notifications go out as for any buyer; the partner's answers are heard from the chat lifecycle.
 * Every wait and deadline is on the sandbox's clock: moving it past an `expect.within` fails that step at once.
 */
import { Type, type Static } from 'typebox';
import type { Clock } from '../clock/clock.js';
import { Nullable, stringEnum } from '../contract/schemas.js';
import type { ChatEvent } from '../domain/chat-events.js';
import type { BuyerSide } from '../domain/buyer-side.js';
import type { UploadedFile } from '../domain/chat-service.js';
import { contentTypeOf, generatedFileBytes } from '../fake/file-content.js';
import { durationMs } from '../model/duration.js';
import { DEFAULT_BUSINESS_ID, type MessageRecord } from '../model/records.js';
import type { ConversationSpec, MatcherSpec, StepSpec } from '../scenario/conversation-schema.js';
import { compilePattern } from '../scenario/pattern.js';
import { startTime } from './start.js';
import type { Scenario } from '../scenario/schema.js';

const STEP_KINDS = ['say', 'expect', 'wait', 'dispute', 'status', 'setState'] as const;

const StepOutcomeSchema = Type.Object({
  step: Type.String({ description: 'Where the step is in the script, e.g. steps[1].when[0].steps[0]' }),
  kind: stringEnum(STEP_KINDS),
  outcome: stringEnum(['done', 'passed', 'failed'] as const),
  detail: Type.String(),
  at: Type.String(),
});
export type StepOutcome = Static<typeof StepOutcomeSchema>;

const PartnerAnswerSchema = Type.Object({
  messageId: Type.Integer(),
  text: Nullable(Type.String()),
  files: Type.Array(Type.String()),
  at: Type.String(),
  answeredInMs: Nullable(Type.Integer({ description: "Since the buyer's last message; null when the buyer had said nothing yet" })),
});
export type PartnerAnswer = Static<typeof PartnerAnswerSchema>;

/** A conversation's verdict, as GET /__sandbox/conversations and sandbox.conversations() give it. */
export const VerdictSchema = Type.Object({
  name: Type.String(),
  state: stringEnum(['waiting', 'running', 'passed', 'failed'] as const, 'waiting: not started yet'),
  businessId: Type.Integer(),
  chatId: Nullable(Type.Integer()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why it failed, in words' })),
  steps: Type.Array(StepOutcomeSchema),
  partnerMessages: Type.Array(PartnerAnswerSchema),
});
export type Verdict = Static<typeof VerdictSchema>;
export type ConversationState = Verdict['state'];

/** What conversations need of the sandbox. */
export interface ConversationHost {
  buyer: BuyerSide;
  clock: Clock;
  /** Where the partner's answers are heard. */
  events: { on(listener: (event: ChatEvent) => void): () => void };
  /** Where the partner's calls are heard, once answered (a conversation may start at one). */
  journal: { onCompleted(listener: (entry: { operationId: string | null; businessId: number | null }) => void): () => void };
  states: { setState(businessId: number, state: string): void };
  /** Resolves once the partner's webhook answers (start: { on: webhook }). */
  notifications: { readonly webhook: string | undefined; webhookAnswers(cancel: AbortSignal): Promise<void> };
}

const iso = (at: number) => new Date(at).toISOString();

/** Whether a partner message holds what a matcher asks; a matcher with nothing in it holds for any message. */
function holds(matcher: MatcherSpec, message: MessageRecord): boolean {
  const text = message.text ?? '';
  // Checked when the scenario loaded; RE2 matches in time linear in the text, whatever the pattern.
  if (matcher.matches !== undefined && !compilePattern(matcher.matches).test(text)) return false;
  if (matcher.contains !== undefined && !text.includes(matcher.contains)) return false;
  if (matcher.file === true && !message.files?.length) return false;
  return true;
}

function describeMatcher(matcher: MatcherSpec): string {
  const wants = [
    matcher.matches !== undefined && `matching /${matcher.matches}/`,
    matcher.contains !== undefined && `containing "${matcher.contains}"`,
    matcher.file && 'with a file',
  ].filter(Boolean);
  return wants.join(', ');
}

const quoted = (message: MessageRecord) =>
  message.text !== undefined ? `"${message.text}"` : `a message with ${message.files?.map((f) => f.name).join(', ') ?? 'nothing'}`;

class Conversation {
  readonly verdict: Verdict;
  private readonly inbox: MessageRecord[] = [];
  private wake: (() => void) | undefined;
  private lastSaidAt: number | undefined;
  private readonly stops: (() => void)[] = [];
  private readonly stopping = new AbortController();

  constructor(
    private readonly spec: ConversationSpec,
    private readonly host: ConversationHost,
    private readonly settled: () => void,
  ) {
    this.verdict = {
      name: spec.name,
      state: 'waiting',
      businessId: businessOf(spec),
      chatId: spec.chatId ?? null,
      startedAt: null,
      finishedAt: null,
      reason: null,
      steps: [],
      partnerMessages: [],
    };
  }

  /** Starts it as its script says: now, after a while, at the partner's first call of an operation, or once its webhook answers. */
  arm(): void {
    if (!this.spec.start) return void this.run();
    startTime(this.spec.start, this.host, [this.verdict.businessId], this.cancel).then(
      () => this.run(),
      () => undefined,
    );
  }

  private get cancel(): AbortSignal {
    return this.stopping.signal;
  }

  /** Stops listening. */
  private detach(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Stops it: a run under way ends at its next wait, and it hears nothing more. */
  stop(): void {
    this.stopping.abort();
    this.detach();
  }

  private async run(): Promise<void> {
    if (this.cancel.aborted) return;
    const verdict = this.verdict;
    verdict.state = 'running';
    verdict.startedAt = this.stamp();
    try {
      const chat =
        this.spec.chatId !== undefined
          ? this.host.buyer.chat(verdict.businessId, this.spec.chatId)
          : this.host.buyer.startChat(verdict.businessId, {
              context: this.spec.context ?? { type: 'DIRECT' },
              customer: this.spec.customer,
            });
      verdict.chatId = chat.id;
      this.stops.push(this.host.events.on((event) => this.heard(event)));
      const passed = await this.play(this.spec.steps as StepSpec[], 'steps');
      this.finish(passed ? 'passed' : 'failed');
    } catch (error) {
      if (this.cancel.aborted) return;
      verdict.reason ??= (error as Error).message;
      this.finish('failed');
    }
  }

  private finish(state: 'passed' | 'failed'): void {
    this.verdict.state = state;
    this.verdict.finishedAt = this.stamp();
    this.detach();
    this.settled();
  }

  private heard(event: ChatEvent): void {
    if (event.kind !== 'message-sent' || event.actor !== 'PARTNER') return;
    if (event.businessId !== this.verdict.businessId || event.chat.id !== this.verdict.chatId) return;
    const { message } = event;
    this.verdict.partnerMessages.push({
      messageId: message.id,
      text: message.text ?? null,
      files: message.files?.map((f) => f.name) ?? [],
      at: this.stamp(),
      answeredInMs: this.lastSaidAt === undefined ? null : this.host.clock.now() - this.lastSaidAt,
    });
    this.inbox.push(message);
    this.wake?.();
  }

  /** The partner's next message, or undefined when none comes within `ms`. */
  private async next(ms: number): Promise<MessageRecord | undefined> {
    const { clock } = this.host;
    const deadline = clock.now() + ms;
    while (!this.inbox.length) {
      const left = deadline - clock.now();
      if (left <= 0) return undefined;
      const timeout = new AbortController();
      const arrived = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([arrived, clock.sleep(left, AbortSignal.any([this.cancel, timeout.signal]))]);
      timeout.abort();
      this.cancel.throwIfAborted();
    }
    return this.inbox.shift();
  }

  private note(step: string, kind: StepOutcome['kind'], outcome: StepOutcome['outcome'], detail: string): void {
    this.verdict.steps.push({ step, kind, outcome, detail, at: this.stamp() });
  }

  private stamp(): string {
    return iso(this.host.clock.now());
  }

  /** Plays steps in order; false when an expectation failed (after its `otherwise`). */
  private async play(steps: StepSpec[], path: string): Promise<boolean> {
    const { businessId } = this.verdict;
    const chatId = this.verdict.chatId!;
    for (const [i, step] of steps.entries()) {
      const at = `${path}[${i}]`;
      this.cancel.throwIfAborted();
      if (step.say !== undefined) {
        const say = typeof step.say === 'string' ? { text: step.say } : step.say;
        const files: UploadedFile[] = (say.files ?? []).map(({ name, size = 40_000 }) => ({
          name,
          contentType: contentTypeOf(name),
          bytes: generatedFileBytes(`${businessId}-conversation`, name, size),
        }));
        // Tracked: a move of the clock lets the buyer's message land before it runs what is due next.
        await this.host.clock.track(
          this.host.buyer.write(businessId, chatId, { message: say.text, files, sender: say.from ?? 'CUSTOMER' }),
        );
        this.lastSaidAt = this.host.clock.now();
        this.note(at, 'say', 'done', say.text ?? files.map((f) => f.name).join(', '));
      } else if (step.wait !== undefined) {
        await this.host.clock.sleep(durationMs(step.wait), this.cancel);
        this.note(at, 'wait', 'done', step.wait);
      } else if (step.dispute !== undefined) {
        this.host.buyer.changeStatus(businessId, chatId, { arbitrage: step.dispute });
        this.note(at, 'dispute', 'done', `dispute ${step.dispute}`);
      } else if (step.status !== undefined) {
        this.host.buyer.changeStatus(businessId, chatId, { status: step.status });
        this.note(at, 'status', 'done', step.status);
      } else if (step.expect !== undefined && !(await this.expect(step, at))) {
        return false;
      }
      if (step.setState !== undefined) {
        this.host.states.setState(businessId, step.setState);
        this.note(at, 'setState', 'done', step.setState);
      }
    }
    return true;
  }

  private async expect(step: StepSpec, at: string): Promise<boolean> {
    const expect = step.expect!;
    const message = await this.next(durationMs(expect.within));
    const wanted = describeMatcher(expect);
    const failure = !message
      ? `nothing came from the partner within ${expect.within}`
      : !holds(expect, message)
        ? `the partner wrote ${quoted(message)}, not a message ${wanted}`
        : undefined;
    if (failure) {
      this.note(at, 'expect', 'failed', failure);
      this.verdict.reason = `${at}.expect: ${failure}`;
      if (step.otherwise) await this.play(step.otherwise, `${at}.otherwise`);
      return false;
    }
    const answered = this.verdict.partnerMessages.find((m) => m.messageId === message!.id)?.answeredInMs;
    this.note(at, 'expect', 'passed', `${quoted(message!)}${answered === null || answered === undefined ? '' : ` after ${answered} ms`}`);
    const branch = step.when?.findIndex((c) => holds(c, message!));
    if (branch === undefined || branch < 0) return true;
    return this.play(step.when![branch].steps, `${at}.when[${branch}].steps`);
  }
}

const businessOf = (spec: ConversationSpec) => spec.businessId ?? DEFAULT_BUSINESS_ID;

/** The scenario's conversations: armed when it is played, played again from the start on reset. */
export class Conversations {
  private running: Conversation[] = [];
  private waiters: (() => void)[] = [];
  private specs: ConversationSpec[] = [];

  constructor(private readonly host: ConversationHost) {}

  /** The scenario's conversations, armed by the next start(). */
  configure(scenario: Scenario): void {
    this.specs = scenario.conversations ?? [];
  }

  /** Arms every conversation (or only those of one business) afresh. */
  start(businessId?: number): void {
    const fresh = this.specs
      .filter((spec) => businessId === undefined || businessOf(spec) === businessId)
      .map((spec) => new Conversation(spec, this.host, () => this.check()));
    this.running.push(...fresh);
    for (const conversation of fresh) conversation.arm();
  }

  /** Stops every conversation, or those of one business: their waits are cancelled and their verdicts dropped. */
  stop(businessId?: number): void {
    const [leaving, staying] = partition(this.running, (c) => businessId === undefined || c.verdict.businessId === businessId);
    for (const conversation of leaving) conversation.stop();
    this.running = staying;
    this.check();
  }

  verdicts(): Verdict[] {
    return this.running.map((c) => c.verdict);
  }

  /** Resolves once every conversation has passed or failed. */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private isSettled(): boolean {
    return this.running.every((c) => c.verdict.state === 'passed' || c.verdict.state === 'failed');
  }

  private check(): void {
    if (!this.isSettled()) return;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
