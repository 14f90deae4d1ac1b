// Two-way sync through monday.com webhooks (issue 14): the inbox, applying events, echoes, conflicts, catch-up.
export { applyEvent } from "./apply.js";
export type { ApplyContext, Applied } from "./apply.js";
export { catchUp } from "./catch-up.js";
export { watchedColumns, boardOfEvent, columnOfEvent } from "./columns.js";
export type { WatchedColumn } from "./columns.js";
export { BadEventError, canonicalOf, eventOf, eventOfLog } from "./event.js";
export type { BoardEvent } from "./event.js";
export type { InboxState } from "./inbox.js";
export { inboxDepth, inboxState, InboxWriter, pendingEvents, storeEvent } from "./inbox.js";
export { WebhooksApi } from "./monday-api.js";
export type { ActivityLog, BoardWebhook } from "./monday-api.js";
export { plannedWebhooks, sameWebhook } from "./plan.js";
export type { PlannedWebhook } from "./plan.js";
export {
  startWebhookService,
  webhookSecret,
  webhookUrl,
  webhooksEnabled,
  MIN_SECRET_LENGTH,
  SIGNING_SECRET_ENV,
  WEBHOOK_SECRET_ENV,
} from "./service.js";
export type { WebhookService } from "./service.js";
export { pathSecretMatches, verifyWebhookJwt, WebhookAuthError } from "./verify.js";
export { InboxWorker } from "./worker.js";
export type { WorkerCounts } from "./worker.js";
export { BOARD_CHANGE_KINDS, boardChangeCounts, boardChanges, inboxEvents, inboxOverview } from "./views.js";
export type { BoardChangeLine, InboxEventLine, InboxOverview } from "./views.js";
