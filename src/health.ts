/** GET /__sandbox/health's answer (the type is made from it). */
import { Type, type Static } from 'typebox';
import { StoreFactsSchema } from './store/world-store.js';

export const HealthSchema = Type.Object({
  uptimeMs: Type.Integer({ description: "Since the sandbox started, on the sandbox's clock" }),
  now: Type.String({ description: "The sandbox's time (ISO 8601)" }),
  rateLimits: Type.Boolean(),
  ...StoreFactsSchema.properties,
});
export type Health = Static<typeof HealthSchema>;
