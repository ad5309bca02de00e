/** Push notifications under /__sandbox: the log of every one sent with its attempts, and a PING on demand. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../contract/errors.js';
import { NOTIFICATION_TYPES, NotificationSchema } from '../contract/notifications.js';
import { Nullable, Ok, OkNoResultSchema, stringEnum } from '../contract/schemas.js';
import {
  DELIVERY_STATES,
  NO_WEBHOOK,
  NOTIFICATION_LOG_CAPACITY,
  NotificationFilterSchema,
  type NotificationFilter,
} from '../notifications/notifier.js';
import type { SandboxRuntime } from '../runtime.js';
import { CONTROL_TAG } from '../contract/tags.js';

const AttemptSchema = Type.Object({
  at: Type.String({ description: 'When the attempt started (ISO 8601)' }),
  durationMs: Type.Integer(),
  status: Nullable(Type.Integer({ description: "The partner's HTTP status" })),
  error: Nullable(Type.String({ description: 'Why there was no answer (timeout, refused connection…)' })),
  answer: Type.Unknown({ description: "The partner's answer: JSON, or text" }),
  answerProblems: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: "What is wrong with the answer's shape: 200 needs {version, name, time}; 400 and 500 {error: {type, message}}",
  }),
});

const EntrySchema = Type.Object({
  id: Type.Integer(),
  notificationType: stringEnum(NOTIFICATION_TYPES),
  businessId: Nullable(Type.Integer()),
  chatId: Nullable(Type.Integer()),
  body: NotificationSchema,
  copyOf: Nullable(
    Type.Integer({ description: 'For a second delivery of the same notification (webhook.duplicates): the entry it copies' }),
  ),
  state: stringEnum(DELIVERY_STATES, 'pending until a 200 (delivered), the last attempt (failed), or a reset (cancelled)'),
  attempts: Type.Array(AttemptSchema),
  nextAttemptAt: Nullable(Type.String({ description: 'When the next retry is due' })),
});

type Notifications = Pick<SandboxRuntime, 'webhook' | 'notifications' | 'notificationsDropped' | 'clearNotifications' | 'ping'>;

export function notificationRoutes(app: FastifyInstance, runtime: Notifications): void {
  const tags = [CONTROL_TAG];

  app.get<{ Querystring: NotificationFilter }>(
    '/__sandbox/notifications',
    {
      schema: {
        tags,
        summary: `Every push notification with each delivery attempt, oldest first (the last ${NOTIFICATION_LOG_CAPACITY} are kept)`,
        querystring: NotificationFilterSchema,
        response: {
          200: Ok(
            Type.Object({
              webhook: Nullable(Type.String({ description: 'Where notifications go; null when nowhere' })),
              notifications: Type.Array(EntrySchema),
              dropped: Type.Integer({ description: 'Entries dropped from the log since it was last cleared' }),
              capacity: Type.Integer(),
            }),
          ),
        },
      },
    },
    async (request) => ({
      status: 'OK' as const,
      result: {
        webhook: runtime.webhook ?? null,
        notifications: runtime.notifications(request.query),
        dropped: runtime.notificationsDropped,
        capacity: NOTIFICATION_LOG_CAPACITY,
      },
    }),
  );

  app.delete(
    '/__sandbox/notifications',
    { schema: { tags, summary: 'Cancel deliveries under way and clear the log', response: { 200: OkNoResultSchema } } },
    async () => {
      runtime.clearNotifications();
      return { status: 'OK' as const };
    },
  );

  app.post(
    '/__sandbox/notifications/ping',
    {
      schema: {
        tags,
        summary: 'Send a PING to the webhook now; answers with how it went (one attempt, 1 s to answer)',
        response: { 200: Ok(EntrySchema) },
      },
    },
    async () => {
      if (!runtime.webhook) throw new ApiError(400, NO_WEBHOOK);
      return { status: 'OK' as const, result: await runtime.ping() };
    },
  );
}
