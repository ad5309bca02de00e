/** GET /__sandbox/health's answer (the type is made from it). */
import { Type, type Static } from 'typebox';
import { Nullable, stringEnum } from './contract/schemas.js';
import { StoreFactsSchema } from './store/world-store.js';

export const HealthSchema = Type.Object({
  uptimeMs: Type.Integer({ description: "Since the sandbox started, on the sandbox's clock" }),
  now: Type.String({ description: "The sandbox's time (ISO 8601)" }),
  rateLimits: Type.Boolean(),
  upstream: Nullable(
    Type.Object({
      url: Type.String({ description: 'Where the partner’s calls are forwarded (--upstream)' }),
      writes: stringEnum(['held back', 'forwarded'] as const, 'What happens to createChat, sendMessageToChat and sendFileToChat'),
    }),
    { description: 'Proxy mode; null when the sandbox answers every call itself' },
  ),
  ...StoreFactsSchema.properties,
});
export type Health = Static<typeof HealthSchema>;
