/**
 * Chats: a business's chats as getChats lists them, a chat as a messenger thread, and Market's side of it:
 * writing as the buyer, Market or support (text and files), disputes, statuses, new chats. Every change goes
 * through the control API, so the partner's calls and push notifications see exactly what the console shows.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CHAT_STATUSES, CHAT_TYPES, CONTEXT_TYPES, OTHER_SENDERS } from '../src/contract/enums.js';
import { MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE } from '../src/contract/operations.js';
import type { ChatDto, MessageDto } from '../src/contract/schemas.js';
import { get, post, postForm, query, withToken } from './api.js';
import { useDebounced, useLiveEvents, type Live } from './live.js';
import { Badge, Choice, clock, ErrorNote, useAction, useLoad } from './ui.js';

interface ChatSummary {
  chat: ChatDto;
  messageCount: number;
  lastMessage: MessageDto | null;
}

interface Thread {
  chat: ChatDto;
  messages: MessageDto[];
  earlier: number;
}

const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i;

const SENDER_NAMES: Record<string, string> = { PARTNER: 'Partner', CUSTOMER: 'Buyer', MARKET: 'Market', SUPPORT: 'Support' };

/** Where the console shows a payload: the control API's view of the file, which is not one of the partner's calls. */
function viewUrl(url: string): string {
  const fileId = new URL(url, location.href).pathname.split('/').pop() ?? '';
  return withToken(`/__sandbox/files/${encodeURIComponent(decodeURIComponent(fileId))}/view`);
}

function contextLabel(context: ChatDto['context']): string {
  if (context.type === 'ORDER') return `order ${context.orderId}`;
  if (context.type === 'RETURN') return `return ${context.returnId} (order ${context.orderId})`;
  return 'direct';
}

function preview(message: MessageDto | null): string {
  if (!message) return 'no messages yet';
  const text = message.message ?? (message.payload ? `[file] ${message.payload.map((f) => f.name).join(', ')}` : '');
  return `${SENDER_NAMES[message.sender]}: ${text}`;
}

interface ChatsProps {
  live: Live;
  /** The businesses that exist. */
  businesses: number[];
  businessId: number;
  /** The chat open, if one is. */
  chatId: number | undefined;
  /** Goes to a business, or to one of its chats. */
  open: (businessId: number, chatId?: number) => void;
}

export function ChatsView({ live, businesses, businessId, chatId, open }: ChatsProps) {
  return (
    <div class="chats">
      <ChatList live={live} businesses={businesses} businessId={businessId} chatId={chatId} open={open} />
      {chatId === undefined ? (
        <section class="thread empty" aria-label="Chat">
          <p>Choose a chat, or start one as a buyer.</p>
          <NewChat businessId={businessId} opened={(id) => open(businessId, id)} />
        </section>
      ) : (
        <ChatThread key={`${businessId}/${chatId}`} live={live} businessId={businessId} chatId={chatId} />
      )}
    </div>
  );
}

function ChatList({ live, businesses, businessId, chatId, open }: ChatsProps) {
  const [filter, setFilter] = useState({ status: '', type: '', contextType: '' });
  const [limit, setLimit] = useState(50);
  const [other, setOther] = useState('');
  const list = useLoad(
    () =>
      get<{ chats: ChatSummary[]; paging: { nextPageToken?: string } }>(
        `/__sandbox/businesses/${businessId}/chats${query({ ...filter, limit })}`,
      ),
    [businessId, filter.status, filter.type, filter.contextType, limit, live.generation],
  );
  const refresh = useDebounced(list.reload, 150);
  useLiveEvents(live, (event) => {
    if (event.type === 'chat' && event.businessId === businessId) refresh();
  });
  const openOther = (event: Event) => {
    event.preventDefault();
    const id = Number(other);
    if (Number.isSafeInteger(id) && id > 0) open(id);
  };
  // From the filter as it is, not as this render saw it: two changes before the next render both count.
  const select = (name: keyof typeof filter) => (value: string) => setFilter((before) => ({ ...before, [name]: value }));
  return (
    <section class="chat-list" aria-label="Chats">
      <div class="toolbar">
        <Choice
          label="Business"
          value={businessId}
          values={[...new Set([...businesses, businessId])]}
          onChange={(id) => open(Number(id))}
        />
        <form onSubmit={openOther} class="inline">
          <label>
            Open business id{' '}
            <input value={other} inputMode="numeric" size={8} onInput={(e) => setOther((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Open</button>
        </form>
      </div>
      <div class="toolbar filters">
        <Choice label="Status" any="any" value={filter.status} values={CHAT_STATUSES} onChange={select('status')} />
        <Choice label="Type" any="any" value={filter.type} values={CHAT_TYPES} onChange={select('type')} />
        <Choice label="Context" any="any" value={filter.contextType} values={CONTEXT_TYPES} onChange={select('contextType')} />
        <button type="button" onClick={() => open(businessId)}>
          New chat
        </button>
      </div>
      <ErrorNote error={list.error} />
      <ul class="chat-items">
        {list.data?.chats.map(({ chat, lastMessage, messageCount }) => (
          <li key={chat.chatId}>
            <button
              type="button"
              class={`chat-item ${chat.chatId === chatId ? 'selected' : ''}`}
              aria-current={chat.chatId === chatId}
              onClick={() => open(businessId, chat.chatId)}
            >
              <span class="line">
                <strong>{chat.context.customer?.name ?? 'Buyer'}</strong>
                <span class="muted">{clock(chat.updatedAt)}</span>
              </span>
              <span class="line">
                <Badge kind={`status ${chat.status}`}>{chat.status}</Badge>
                {chat.type === 'ARBITRAGE' && <Badge kind="dispute">dispute</Badge>}
                <Badge>{contextLabel(chat.context)}</Badge>
                <span class="muted">
                  #{chat.chatId} · {messageCount} msg
                </span>
              </span>
              <span class="preview">{preview(lastMessage)}</span>
            </button>
          </li>
        ))}
      </ul>
      {list.data?.chats.length === 0 && <p class="muted">No chats match.</p>}
      {list.data?.paging.nextPageToken && (
        <button type="button" onClick={() => setLimit(Math.min(200, limit + 50))} disabled={limit >= 200}>
          Show more
        </button>
      )}
    </section>
  );
}

function ChatThread({ live, businessId, chatId }: { live: Live; businessId: number; chatId: number }) {
  const thread = useLoad(() => get<Thread>(`/__sandbox/businesses/${businessId}/chats/${chatId}`), [businessId, chatId, live.generation]);
  const refresh = useDebounced(thread.reload, 100);
  useLiveEvents(live, (event) => {
    if (event.type === 'chat' && event.businessId === businessId && event.chat.chatId === chatId) refresh();
  });
  const bottom = useRef<HTMLDivElement>(null);
  const chat = thread.data?.chat;
  const lastId = thread.data?.messages.at(-1)?.messageId;
  // A new message, or the chat opened: the latest is what to see.
  useEffect(() => bottom.current?.scrollIntoView({ block: 'nearest' }), [lastId]);
  return (
    <section class="thread" aria-label={`Chat ${chatId}`}>
      <ErrorNote error={thread.error} />
      {chat && (
        <>
          <header class="thread-head">
            <h2>
              {chat.context.customer?.name ?? 'Buyer'} <span class="muted">#{chat.chatId}</span>
            </h2>
            <span>
              <Badge kind={`status ${chat.status}`}>{chat.status}</Badge> <Badge>{chat.type}</Badge>{' '}
              <Badge>{contextLabel(chat.context)}</Badge>
            </span>
          </header>
          {chat.type === 'ARBITRAGE' && (
            <p class="dispute-banner" role="status">
              A dispute is open: the arbiter is looking into this chat.
            </p>
          )}
          <ChatActions businessId={businessId} chat={chat} />
        </>
      )}
      <div class="messages" aria-live="polite">
        {thread.data && thread.data.earlier > 0 && (
          <p class="muted center">{thread.data.earlier} earlier messages are not shown (getChatHistory pages through them).</p>
        )}
        {thread.data?.messages.map((message) => (
          <Message key={message.messageId} message={message} />
        ))}
        {thread.data?.messages.length === 0 && <p class="muted center">No messages yet.</p>}
        <div ref={bottom} />
      </div>
      {chat && <Composer businessId={businessId} chatId={chatId} />}
    </section>
  );
}

function Message({ message }: { message: MessageDto }) {
  const side = message.sender === 'PARTNER' ? 'right' : message.sender === 'CUSTOMER' ? 'left' : 'center';
  // Market announces disputes in the chat: those are the arbiter's doing.
  const who =
    message.sender === 'MARKET' && /арбитраж|спор/i.test(message.message ?? '') ? 'Market (arbiter)' : SENDER_NAMES[message.sender];
  return (
    <article class={`message ${side} sender-${message.sender}`} aria-label={`${who} at ${clock(message.createdAt)}`}>
      <header>
        <strong>{who}</strong> <time dateTime={message.createdAt}>{clock(message.createdAt)}</time>{' '}
        <span class="muted">#{message.messageId}</span>
      </header>
      {message.message && <p class="text">{message.message}</p>}
      {message.payload?.map((file) => (
        <a class="file" href={viewUrl(file.url)} target="_blank" rel="noreferrer">
          {IMAGE.test(file.name) && <img src={viewUrl(file.url)} alt={file.name} loading="lazy" />}
          <span>
            {file.name} <span class="muted">({Math.ceil(file.size / 1024)} KB)</span>
          </span>
        </a>
      ))}
    </article>
  );
}

function ChatActions({ businessId, chat }: { businessId: number; chat: ChatDto }) {
  const action = useAction();
  // The choice starts at the chat's status, and follows it when it changes.
  const [status, setStatus] = useState<string>(chat.status);
  useEffect(() => setStatus(chat.status), [chat.status]);
  const change = (body: object) => action.run(() => post(`/__sandbox/businesses/${businessId}/chats/${chat.chatId}/status`, body));
  return (
    <div class="toolbar actions">
      {chat.type === 'ARBITRAGE' ? (
        <button type="button" disabled={action.busy} onClick={() => void change({ arbitrage: 'finished' })}>
          Close the dispute
        </button>
      ) : (
        <button type="button" disabled={action.busy} onClick={() => void change({ arbitrage: 'started' })}>
          Open a dispute
        </button>
      )}
      <button type="button" disabled={action.busy || chat.status === 'FINISHED'} onClick={() => void change({ status: 'FINISHED' })}>
        Finish the chat
      </button>
      <Choice label="Status" value={status} values={CHAT_STATUSES} onChange={setStatus} />
      <button type="button" disabled={action.busy} onClick={() => void change({ status })}>
        Set status
      </button>
      <ErrorNote error={action.error} />
    </div>
  );
}

function Composer({ businessId, chatId }: { businessId: number; chatId: number }) {
  const [text, setText] = useState('');
  const [sender, setSender] = useState('CUSTOMER');
  const [notify, setNotify] = useState(true);
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const action = useAction();
  const fileInput = useRef<HTMLInputElement>(null);

  const add = (chosen: FileList | null | undefined) => {
    const all = [...files, ...Array.from(chosen ?? [])];
    const tooBig = all.find((f) => f.size > MAX_FILE_BYTES);
    if (tooBig)
      return action.run(() =>
        Promise.reject(new Error(`file: ${tooBig.name} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB, the most Market takes`)),
      );
    if (all.length > MAX_FILES_PER_MESSAGE) {
      return action.run(() => Promise.reject(new Error(`file: at most ${MAX_FILES_PER_MESSAGE} files a message`)));
    }
    action.clear();
    setFiles(all);
  };

  const send = async (event: Event) => {
    event.preventDefault();
    const path = `/__sandbox/businesses/${businessId}/chats/${chatId}/messages`;
    const ok = await action.run(() => {
      if (!files.length) return post(path, { ...(text ? { message: text } : {}), sender, notify });
      const form = new FormData();
      if (text) form.append('message', text);
      form.append('sender', sender);
      form.append('notify', String(notify));
      for (const file of files) form.append('file', file, file.name);
      return postForm(path, form);
    });
    if (!ok) return;
    setText('');
    setFiles([]);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <form
      class={`composer ${dragging ? 'dragging' : ''}`}
      onSubmit={(e) => void send(e)}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void add(e.dataTransfer?.files);
      }}
    >
      <div class="toolbar">
        <Choice label="Write as" value={sender} values={OTHER_SENDERS} names={SENDER_NAMES} onChange={setSender} />
        <label>
          <input type="checkbox" checked={notify} onChange={(e) => setNotify((e.target as HTMLInputElement).checked)} /> push
          CHAT_MESSAGE_SENT
        </label>
        <label class="file-pick">
          Attach files <input ref={fileInput} type="file" multiple onChange={(e) => void add((e.target as HTMLInputElement).files)} />
        </label>
      </div>
      <label class="stack">
        Message <span class="muted">(or drop files here, up to 5 MB each)</span>
        <textarea
          value={text}
          rows={3}
          maxLength={4096}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
          }}
        />
      </label>
      {files.length > 0 && (
        <ul class="chosen-files" aria-label="Files to send">
          {files.map((file) => (
            <li>
              {file.name} <span class="muted">({Math.ceil(file.size / 1024)} KB)</span>{' '}
              <button type="button" aria-label={`Remove ${file.name}`} onClick={() => setFiles(files.filter((f) => f !== file))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="toolbar">
        <button type="submit" disabled={action.busy}>
          Send
        </button>
        <span class="muted">Ctrl+Enter sends</span>
      </div>
      <ErrorNote error={action.error} />
    </form>
  );
}

function NewChat({ businessId, opened }: { businessId: number; opened: (chatId: number) => void }) {
  const [type, setType] = useState('DIRECT');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState('');
  const action = useAction();
  const start = async (event: Event) => {
    event.preventDefault();
    let chat: ChatDto | undefined;
    const ok = await action.run(async () => {
      chat = await post<ChatDto>(`/__sandbox/businesses/${businessId}/chats`, {
        context: { type, ...(type !== 'DIRECT' && id !== '' ? { id: Number(id) } : {}) },
        ...(message ? { message } : {}),
        ...(name ? { customer: { name, publicId: `console-${Date.now()}` } } : {}),
      });
    });
    if (ok && chat) opened(chat.chatId);
  };
  return (
    <form class="new-chat" onSubmit={(e) => void start(e)} aria-label="Start a chat">
      <h3>A buyer starts a chat in business {businessId}</h3>
      <Choice label="About" value={type} values={CONTEXT_TYPES} onChange={setType} />
      {type !== 'DIRECT' && (
        <label>
          {type === 'ORDER' ? 'Order id' : 'Return id'}{' '}
          <input
            value={id}
            inputMode="numeric"
            onInput={(e) => setId((e.target as HTMLInputElement).value)}
            placeholder="made up when empty"
          />
        </label>
      )}
      <label>
        Buyer's name <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} placeholder="made up when empty" />
      </label>
      <label class="stack">
        First message
        <textarea value={message} rows={2} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        Start the chat
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}
