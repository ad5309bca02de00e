/** The reference partner bot (examples/partner-bot), loaded as a user runs it: plain JavaScript from the repository. */
import { pathToFileURL } from 'node:url';
import { packagePath } from '../src/package-root.js';

export interface ReferenceBot {
  url: string;
  close: () => Promise<void>;
}

/** Starts it on a free port against `api`; it catches up with waiting chats unless told not to. */
export async function startReferenceBot(options: { api: string; catchUp?: boolean; businesses?: number[] }): Promise<ReferenceBot> {
  const { startBot } = (await import(pathToFileURL(packagePath('examples', 'partner-bot', 'bot.mjs')).href)) as {
    startBot: (options: object) => Promise<ReferenceBot>;
  };
  return startBot({ port: 0, ...options });
}
