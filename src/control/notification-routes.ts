/** Push notifications under /__sandbox: the log of every one sent with its attempts, and a PING on demand. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../contract/errors.js';
import { Nullable, Ok, OkNoResultSchema } from '../contract/schemas.js';
import {
  NO_WEBHOOK,
  NOTIFICATION_LOG_CAPACITY,
  NotificationEntrySchema,
  NotificationFilterSchema,
  type NotificationFilter,
} from '../notifications/notifier.js';
import type { SandboxRuntime } from '../runtime.js';
import { CONTROL_TAG } from '../contract/tags.js';

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
              notifications: Type.Array(NotificationEntrySchema),
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
        response: { 200: Ok(NotificationEntrySchema) },
      },
    },
    async () => {
      if (!runtime.webhook) throw new ApiError(400, NO_WEBHOOK);
      return { status: 'OK' as const, result: await runtime.ping() };
    },
  );
}
