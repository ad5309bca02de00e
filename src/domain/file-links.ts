/**
 * Payload links as Market's file host serves them: by default they work for anyone, for ever; a scenario can
 * make them expire (the link carries its expiry, signed so that a client cannot extend it) and need the
 * partner's token. Links are signed with a key made from the seed, so that a run repeats byte for byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SECOND } from '../model/time.js';

export interface FileLinkSettings {
  /** Links need the partner's token. */
  authRequired: boolean;
  /** Links answer 403 once they are older than this. */
  expireAfterMs?: number;
}

export type LinkCheck = { valid: true } | { valid: false; reason: string };

export class FileLinks {
  constructor(
    /** Where the settings are read at each use: loading a scenario changes them. */
    private readonly policies: { readonly fileLinks: FileLinkSettings },
    private readonly clock: { now(): number },
    /** The seed the signing key is made from. */
    private readonly world: { readonly seed: number },
  ) {}

  get authRequired(): boolean {
    return this.policies.fileLinks.authRequired;
  }

  /** What a link made now adds to the file's URL: its expiry and signature, or nothing when links do not expire. */
  query(fileId: string): string {
    const { expireAfterMs } = this.policies.fileLinks;
    if (expireAfterMs === undefined) return '';
    const expires = Math.ceil((this.clock.now() + expireAfterMs) / SECOND);
    return `?expires=${expires}&signature=${this.sign(fileId, expires)}`;
  }

  /** What makes links made now differ from those made a moment ago: answers holding links can be kept while it is the same. */
  get generation(): string {
    return this.policies.fileLinks.expireAfterMs === undefined ? '' : String(Math.floor(this.clock.now() / SECOND));
  }

  check(fileId: string, query: { expires?: string; signature?: string }): LinkCheck {
    if (this.policies.fileLinks.expireAfterMs === undefined) return { valid: true };
    const expires = Number(query.expires);
    if (!query.expires || !Number.isSafeInteger(expires) || !query.signature) {
      return {
        valid: false,
        reason: 'expires: the link has no expiry; take payload URLs from getChatHistory or getChatMessage as they are',
      };
    }
    const expected = Buffer.from(this.sign(fileId, expires));
    const given = Buffer.from(query.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { valid: false, reason: 'signature: the link was changed; take payload URLs as they are given' };
    }
    if (this.clock.now() >= expires * SECOND) {
      const at = new Date(expires * SECOND).toISOString();
      return { valid: false, reason: `expires: the link expired at ${at}; read the message again for a fresh link` };
    }
    return { valid: true };
  }

  private sign(fileId: string, expires: number): string {
    return createHmac('sha256', `file-links:${this.world.seed}`).update(`${fileId}:${expires}`).digest('base64url').slice(0, 22);
  }
}
