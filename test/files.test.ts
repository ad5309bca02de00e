/** Every payload is a real file of its type at its declared size: what a partner that checks or resizes images meets. */
import jpeg from 'jpeg-js';
import t, { type Test } from 'tap';
import { allMessages, sandboxFor } from './helpers.js';

const B = 1001;

/** What makes each type a file of that type, as a reader checks it. */
function checkType(t: Test, name: string, bytes: Buffer): void {
  if (/\.jpe?g$/i.test(name)) {
    t.equal(bytes.subarray(0, 2).toString('hex'), 'ffd8', `${name}: starts with JPEG's SOI`);
    t.equal(bytes.subarray(-2).toString('hex'), 'ffd9', `${name}: ends with its EOI`);
    const image = jpeg.decode(bytes);
    t.ok(image.width > 0 && image.height > 0, `${name}: decodes (${image.width}×${image.height})`);
  } else if (name.endsWith('.png')) {
    t.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${name}: PNG's signature`);
    t.ok(bytes.includes(Buffer.from('IEND')), `${name}: its IEND chunk`);
  } else if (name.endsWith('.pdf')) {
    t.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${name}: %PDF`);
    t.ok(bytes.includes(Buffer.from('%%EOF')), `${name}: %%EOF`);
  } else {
    t.ok(bytes.toString('utf8').includes(name), `${name}: text naming it`);
  }
}

t.test("payloads of a scenario's world, a buyer's message and a conversation are real files of their declared size", async (t) => {
  const names = ['трещина.jpg', 'упаковка.JPEG', 'чек.png', 'акт.pdf', 'заметка.txt'];
  const client = await sandboxFor(t, {
    scenario: {
      data: {
        businesses: [
          {
            id: B,
            chats: [
              {
                chatId: 900,
                context: { type: 'DIRECT' },
                messages: [{ sender: 'CUSTOMER', payload: names.map((name, i) => ({ name, size: 20_000 + i * 7_777 })) }],
              },
            ],
          },
        ],
      },
      conversations: [
        { name: 'фото', chatId: 900, steps: [{ say: { text: 'Вот ещё фото', files: [{ name: 'скол.jpg', size: 54_321 }] } }] },
      ],
    },
  });
  await client.sandbox.conversationsSettled();
  const payloads = (await allMessages(client, B, 900)).flatMap((m) => m.payload ?? []);
  t.equal(payloads.length, names.length + 1, "the world's five files and the conversation's one");
  for (const { name, url, size } of payloads as { name: string; url: string; size: number }[]) {
    const answer = await fetch(url);
    const bytes = Buffer.from(await answer.arrayBuffer());
    t.equal(bytes.length, size, `${name}: ${size} bytes, as declared`);
    checkType(t, name, bytes);
  }
});
