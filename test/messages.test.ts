/** getChatHistory, getChatMessage, sendMessageToChat and sendFileToChat, over a real socket. */
import { request } from 'node:http';
import t from 'tap';
import { allChats, allMessages, sandboxFor, sendFile } from './helpers.js';

const B = '/v2/businesses/1001';

t.test('history is oldest first, pages by keyset, and honours messageIdFrom', async (t) => {
  const client = await sandboxFor(t);
  const chats = await allChats(client, 1001);
  const longest = { chat: chats[0], messages: [] as any[] };
  for (const chat of chats) {
    const messages = await allMessages(client, 1001, chat.chatId);
    if (messages.length > longest.messages.length) Object.assign(longest, { chat, messages });
  }
  const { chat, messages } = longest;
  t.ok(messages.length > 50, `some chat has a long history (${messages.length})`);
  const ids = messages.map((m) => m.messageId);
  t.strictSame(
    ids,
    [...ids].sort((a, b) => a - b),
    'ascending message ids',
  );
  t.equal(new Set(ids).size, ids.length);
  t.same(await allMessages(client, 1001, chat.chatId, 7), messages, 'small pages give the same messages');
  const first = await client.post(`${B}/chats/history?chatId=${chat.chatId}`);
  t.equal(first.body.result.messages.length, 50, 'default limit is 50');

  const from = ids[10];
  const tail = await client.post(`${B}/chats/history?chatId=${chat.chatId}&limit=100`, { messageIdFrom: from });
  t.strictSame(
    tail.body.result.messages.map((m: any) => m.messageId),
    ids.slice(10),
    'messageIdFrom: that message and later',
  );
  const last = await client.post(`${B}/chats/history?chatId=${chat.chatId}`, { messageIdFrom: ids.at(-1) + 1 });
  t.strictSame(last.body.result.messages, []);
  t.strictSame(last.body.result.paging, {}, 'no nextPageToken on the last page');
});

t.test('history paging neither skips nor repeats while messages are added between pages', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const before = await allMessages(client, 1001, chat.chatId);
  const seen: number[] = [];
  let token: string | undefined;
  let sent = 0;
  do {
    const page = await client.post(`${B}/chats/history?chatId=${chat.chatId}&limit=2${token ? `&pageToken=${token}` : ''}`);
    seen.push(...page.body.result.messages.map((m: any) => m.messageId));
    token = page.body.result.paging.nextPageToken;
    if (sent < 3) {
      await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: `Дополнение №${++sent}` });
    }
  } while (token);
  t.equal(seen.length, before.length + 3, 'the old messages and the ones added meanwhile');
  t.equal(new Set(seen).size, seen.length, 'none twice');
  t.strictSame(
    seen.slice(0, before.length),
    before.map((m) => m.messageId),
  );
});

t.test('sending a message appends a PARTNER message and moves status and updatedAt', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'], types: ['CHAT'] });
  const text = 'Здравствуйте! Заказ передан в доставку, курьер привезёт его завтра.';
  const sent = await client.post(`/businesses/1001/chats/message?chatId=${chat.chatId}`, { message: text });
  t.strictSame(sent.body, { status: 'OK' });
  const after = (await client.get(`${B}/chat?chatId=${chat.chatId}`)).body.result;
  t.equal(after.status, 'WAITING_FOR_CUSTOMER');
  t.ok(Date.parse(after.updatedAt) >= Date.parse(chat.updatedAt));
  const messages = await allMessages(client, 1001, chat.chatId);
  const last = messages.at(-1);
  t.match(last, { sender: 'PARTNER', message: text });
  t.equal(last.createdAt, after.updatedAt, 'updatedAt is the newest message');
  const one = await client.get(`${B}/chats/message?chatId=${chat.chatId}&messageId=${last.messageId}`);
  t.strictSame(one.body.result, last, 'getChatMessage returns what the history shows');
  const listed = (await client.post(`${B}/chats?limit=1`)).body.result.chats[0];
  t.equal(listed.chatId, chat.chatId, 'the chat moves to the top of the list');
});

t.test('a finished chat refuses messages and files with a 400 that says so', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['FINISHED'] });
  const text = await client.post(`${B}/chats/message?chatId=${chat.chatId}`, { message: 'Ещё вопрос' });
  t.equal(text.status, 400);
  t.match(text.body.errors[0].message, /FINISHED/);
  const file = await sendFile(client, 1001, chat.chatId, { name: 'a.txt', content: 'x' });
  t.equal(file.status, 400);
  t.match(file.body.errors[0].message, /FINISHED/);
});

t.test('a sent file becomes a message whose payload URL downloads the same bytes', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const bytes = Buffer.from('%PDF-1.4\nСчёт-фактура №15\n');
  const sent = await sendFile(
    client,
    1001,
    chat.chatId,
    { name: '../../etc/Счёт-фактура №15.pdf', content: bytes, type: 'application/pdf' },
    { comment: 'накладная' },
  );
  t.strictSame(sent.body, { status: 'OK' });
  const last = (await allMessages(client, 1001, chat.chatId)).at(-1);
  t.equal(last.sender, 'PARTNER');
  t.equal(last.message, undefined);
  t.match(last.payload, [{ name: 'Счёт-фактура №15.pdf', size: bytes.length, url: /^http:\/\/127\.0\.0\.1:\d+\/__sandbox\/files\// }]);
  t.equal((await client.get(`${B}/chat?chatId=${chat.chatId}`)).body.result.status, 'WAITING_FOR_CUSTOMER');
  const download = await fetch(last.payload[0].url);
  t.equal(download.status, 200);
  t.equal(download.headers.get('content-type'), 'application/pdf');
  t.match(download.headers.get('content-disposition'), /filename\*=UTF-8''%D0%A1/);
  t.strictSame(Buffer.from(await download.arrayBuffer()), bytes);
});

t.test('generated payloads download as real files of the advertised size and type', async (t) => {
  const client = await sandboxFor(t);
  const payloads: any[] = [];
  for (const chat of await allChats(client, 1001)) {
    for (const m of await allMessages(client, 1001, chat.chatId)) payloads.push(...(m.payload ?? []));
  }
  t.ok(payloads.length > 0, `the default world has files (${payloads.length})`);
  const kinds = new Set<string>();
  // A few of each kind the world has: images and documents.
  const sample = [
    ...payloads.filter((p) => p.name.endsWith('.png')).slice(0, 6),
    ...payloads.filter((p) => p.name.endsWith('.pdf')).slice(0, 6),
  ];
  for (const p of sample) {
    const response = await fetch(p.url);
    const body = Buffer.from(await response.arrayBuffer());
    t.equal(body.length, p.size, `${p.name}: size`);
    const type = response.headers.get('content-type')!;
    kinds.add(type);
    if (p.name.endsWith('.png')) t.strictSame([type, ...body.subarray(1, 4)], ['image/png', 0x50, 0x4e, 0x47], `${p.name}: a PNG`);
    else t.strictSame([type, body.subarray(0, 5).toString()], ['application/pdf', '%PDF-'], `${p.name}: a PDF`);
  }
  t.same([...kinds].sort(), ['application/pdf', 'image/png'], 'both kinds were downloaded');
  const missing = await client.get('/__sandbox/files/1001-nothing');
  t.equal(missing.status, 404);
  t.match(missing.body, { status: 'ERROR', errors: [{ code: 'NOT_FOUND', message: /fileId/ }] });
});

t.test('a file over 5 MB is refused while it streams', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const url = new URL(`${client.sandbox.url}${B}/chats/file/send?chatId=${chat.chatId}`);
  const boundary = 'sandboxboundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  // Announced as 50 MB; the client stops sending once the answer comes, so the server cannot have read it all.
  const announced = 50 * 1024 * 1024;
  const answer = await new Promise<{ status: number; body: any; written: number }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Api-Key': 'k',
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + announced),
        },
      },
      (res) => {
        answered = true;
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode!, body: JSON.parse(text), written });
        });
      },
    );
    req.on('error', (error) => (answered ? undefined : reject(error)));
    req.write(head);
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = () => {
      while (!answered && written < announced) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
  t.equal(answer.status, 413);
  t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: /file.*5 MB/ }] });
  t.ok(answer.written < 50 * 1024 * 1024, `answered before the whole body was sent (${answer.written} bytes sent)`);
  const last = (await allMessages(client, 1001, chat.chatId)).at(-1);
  t.not(last.payload?.[0]?.name, 'big.bin', 'nothing was stored');
});

t.test('a truncated multipart body is a 400, not a crash', async (t) => {
  const client = await sandboxFor(t);
  const [chat] = await allChats(client, 1001, { statuses: ['WAITING_FOR_PARTNER'] });
  const body = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi';
  const answer = await client.call('POST', `${B}/chats/file/send?chatId=${chat.chatId}`, {
    raw: body,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
  });
  t.equal(answer.status, 400);
  t.match(answer.body, { status: 'ERROR', errors: [{ code: 'BAD_REQUEST', message: /multipart/ }] });
});
