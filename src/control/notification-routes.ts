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
  type Notifier,
} from '../notifications/notifier.js';
import { CONTROL_TAG } from '../contract/tags.js';

export function notificationRoutes(
  app: FastifyInstance,
  notifier: Pick<Notifier, 'webhook' | 'list' | 'dropped' | 'clear' | 'ping'>,
): void {
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
        webhook: notifier.webhook ?? null,
        notifications: notifier.list(request.query),
        dropped: notifier.dropped,
        capacity: NOTIFICATION_LOG_CAPACITY,
      },
    }),
  );

  app.delete(
    '/__sandbox/notifications',
    { schema: { tags, summary: 'Cancel deliveries under way and clear the log', response: { 200: OkNoResultSchema } } },
    async () => {
      notifier.clear();
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
      if (!notifier.webhook) throw new ApiError(400, NO_WEBHOOK);
      return { status: 'OK' as const, result: await notifier.ping() };
    },
  );
}
