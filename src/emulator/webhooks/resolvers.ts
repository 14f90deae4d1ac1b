import type { RequestContext } from "../resolvers.js";
import type { WebhookEvent } from "./events.js";
import type { WebhookRecord } from "./service.js";

type Args = Record<string, unknown>;

/** A `Webhook` as the API returns it. */
function webhookView(record: WebhookRecord) {
  return { id: record.id, board_id: record.boardId, event: record.event, config: record.configText };
}

/** The root fields of the webhook API: `webhooks`, `create_webhook`, `delete_webhook`. */
export const WEBHOOK_ROOT_FIELDS = {
  webhooks: (args: Args, ctx: RequestContext) =>
    ctx.webhooks
      .list(String(args.board_id), args.app_webhooks_only === true ? ctx.actor : undefined)
      .map(webhookView),
  create_webhook: async (args: Args, ctx: RequestContext) =>
    webhookView(
      await ctx.webhooks.create(
        {
          boardId: String(args.board_id),
          url: String(args.url),
          event: args.event as WebhookEvent,
          config: args.config,
        },
        ctx.actor,
      ),
    ),
  delete_webhook: (args: Args, ctx: RequestContext) => webhookView(ctx.webhooks.delete(String(args.id))),
};
