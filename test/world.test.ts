/** The generated world: deterministic, complete, consistent, and the committed fixture in step with it. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { CHAT_STATUSES, CHAT_TYPES, CONTEXT_TYPES, SENDERS } from '../src/contract/enums.js';
import { generateBusiness } from '../src/fake/world-generator.js';
import { generatedFileBytes } from '../src/fake/file-content.js';
import type { BusinessRecord } from '../src/model/records.js';
import { fixtureOf } from '../src/fake/world-generator.js';
import { DEFAULT_FIXTURE, DEFAULT_SEED, loadFixture } from '../src/store/world-store.js';
import { SAMPLE_BUSINESS_ID } from '../src/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const SEEDS = [1, 2, 3, 42, DEFAULT_SEED];
const BUSINESSES = [1, 1001, 777, 123456789, 2 ** 40 + 5];

function lastSpeaker(chat: BusinessRecord['chats'][number]) {
  return chat.messages.at(-1)?.sender;
}

t.test('the same seed and business give the same world; another seed or business another', async (t) => {
  t.strictSame(generateBusiness(7, 1001, NOW), generateBusiness(7, 1001, NOW));
  t.notSame(generateBusiness(7, 1001, NOW).chats, generateBusiness(8, 1001, NOW).chats);
  t.notSame(generateBusiness(7, 1001, NOW).chats, generateBusiness(7, 1002, NOW).chats);
  const early = generateBusiness(7, 1001, NOW);
  const later = generateBusiness(7, 1001, NOW + 86_400_000);
  t.strictSame(
    later.chats.map((c) => c.messages.map((m) => m.text)),
    early.chats.map((c) => c.messages.map((m) => m.text)),
    'generated at another moment: the same words, times moved',
  );
  t.equal(later.chats[0].createdAt - early.chats[0].createdAt, 86_400_000);
});

t.test('every generated world covers every status, type, context and sender, consistently', async (t) => {
  for (const seed of SEEDS) {
    for (const businessId of BUSINESSES) {
      const world = generateBusiness(seed, businessId, NOW);
      const label = `seed ${seed}, business ${businessId}`;
      t.ok(world.chats.length >= 12 && world.chats.length <= 40, `${label}: 12–40 chats`);
      const has = (values: readonly string[], of: (c: (typeof world.chats)[number]) => string) =>
        values.every((v) => world.chats.some((c) => of(c) === v));
      t.ok(
        has(CHAT_STATUSES, (c) => c.status),
        `${label}: every status`,
      );
      t.ok(
        has(CHAT_TYPES, (c) => c.type),
        `${label}: both types`,
      );
      t.ok(
        has(CONTEXT_TYPES, (c) => c.context.type),
        `${label}: all three contexts`,
      );
      const senders = new Set(world.chats.flatMap((c) => c.messages.map((m) => m.sender)));
      t.ok(
        SENDERS.every((s) => senders.has(s)),
        `${label}: every sender`,
      );
      t.ok(Object.keys(world.files).length > 0, `${label}: some files`);
      const problems: string[] = [];
      const messageIds = new Set<number>();
      for (const chat of world.chats) {
        const where = `chat ${chat.id}`;
        if (chat.messages.length < 1 || chat.messages.length > 80) problems.push(`${where}: ${chat.messages.length} messages`);
        chat.messages.forEach((m, i) => {
          if (messageIds.has(m.id)) problems.push(`${where}: message id ${m.id} twice`);
          messageIds.add(m.id);
          const prev = chat.messages[i - 1];
          if (prev && (m.id <= prev.id || m.at < prev.at)) problems.push(`${where}: messages out of order`);
          if (!m.text && !m.files?.length) problems.push(`${where}: message ${m.id} is empty`);
          for (const f of m.files ?? []) if (!world.files[f.fileId]) problems.push(`${where}: file ${f.fileId} unknown`);
        });
        if (chat.updatedAt !== chat.messages.at(-1)!.at) problems.push(`${where}: updatedAt is not the last message`);
        if (chat.messages[0].at !== chat.createdAt) problems.push(`${where}: created when its first message was sent`);
        if (chat.updatedAt > NOW) problems.push(`${where}: in the future`);
        const { context } = chat;
        if (context.type === 'DIRECT' && (context.orderId || context.returnId)) problems.push(`${where}: DIRECT with an order`);
        if (context.type === 'ORDER' && (!context.orderId || context.returnId)) problems.push(`${where}: ORDER fields`);
        if (context.type === 'RETURN' && (!context.orderId || !context.returnId)) problems.push(`${where}: RETURN fields`);
        if (!world.campaigns.includes(context.campaignId!)) problems.push(`${where}: unknown campaign`);
        if (!context.customer?.name || !context.customer.publicId) problems.push(`${where}: no customer`);
        if (chat.type === 'ARBITRAGE' && context.type === 'DIRECT') problems.push(`${where}: a dispute without an order`);
        const last = lastSpeaker(chat);
        const agrees =
          (chat.status === 'NEW' && chat.messages.every((m) => m.sender === 'CUSTOMER')) ||
          (chat.status === 'WAITING_FOR_PARTNER' && last === 'CUSTOMER') ||
          (chat.status === 'WAITING_FOR_CUSTOMER' && last === 'PARTNER') ||
          (chat.status === 'WAITING_FOR_MARKET' && last === 'SUPPORT') ||
          (chat.status === 'WAITING_FOR_ARBITER' && chat.type === 'ARBITRAGE') ||
          (chat.status === 'FINISHED' && last === 'MARKET') ||
          (chat.type === 'ARBITRAGE' && chat.status !== 'NEW');
        if (!agrees) problems.push(`${where}: status ${chat.status} after ${last}`);
      }
      t.strictSame(problems, [], `${label}: consistent`);
    }
  }
});

t.test('texts are Russian', async (t) => {
  const world = generateBusiness(DEFAULT_SEED, 1001, NOW);
  const texts = world.chats.flatMap((c) => c.messages.map((m) => m.text ?? ''));
  const cyrillic = texts.filter((text) => /[а-яё]/i.test(text));
  t.ok(cyrillic.length / texts.filter(Boolean).length > 0.99);
  t.ok(
    world.chats.every((c) => /[А-ЯЁ]/.test(c.context.customer!.name)),
    'Russian names',
  );
});

t.test('the committed default world is what the generator makes (npm run fixtures keeps them in step)', async (t) => {
  const committed = JSON.parse(readFileSync(DEFAULT_FIXTURE, 'utf8'));
  t.strictSame(committed, JSON.parse(JSON.stringify(fixtureOf(DEFAULT_SEED, [SAMPLE_BUSINESS_ID]))));
  const loaded = loadFixture(readFileSync(DEFAULT_FIXTURE), committed.anchor + 10_000);
  t.equal(loaded[0].chats[0].createdAt, committed.businesses[0].chats[0].createdAt + 10_000, 'moved to the present on load');
});

t.test('generated files have exactly the advertised size, from 4 KB up (the generator makes 15 KB and more)', async (t) => {
  for (const size of [4000, 9999, 10_000, 10_001, 65_537, 500_000]) {
    for (const name of ['фото.png', 'Чек_№1.pdf', 'заметка.txt', 'архив.zip']) {
      t.equal(generatedFileBytes('1-2-0', name, size).length, size, `${name}, ${size} bytes`);
    }
  }
});
