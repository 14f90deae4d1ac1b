export { EmulatorWebhooks, WebhookChallengeError, MAX_WEBHOOK_URL } from "./service.js";
export type { WebhookRecord, WebhookSpec, WebhookOptions } from "./service.js";
export { WEBHOOK_EVENTS, EVENT_TYPES, SUBITEM_EVENTS } from "./events.js";
export type { WebhookEvent, WebhookConfig } from "./events.js";
export { LEGACY_COLUMN_TYPES, legacyColumnType, webhookValue, webhookEvent } from "./payloads.js";
export {
  WebhookDeliveries,
  WEBHOOK_FAULT_KINDS,
  DEFAULT_WEBHOOK_FAULTS,
  RETRY_INTERVAL_MS,
  RETRY_WINDOW_MS,
  REQUEST_TIMEOUT_MS,
  CHALLENGE_TIMEOUT_MS,
} from "./deliveries.js";
export type { WebhookFaultKind, WebhookFaultSpec, WebhookFaultSettings, WebhookStats } from "./deliveries.js";
export { signWebhookJwt, WEBHOOK_JWT_TTL_SECONDS } from "./signing.js";
