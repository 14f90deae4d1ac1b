export { createHttpApp, listen } from "./server.js";
export type { HttpDeps, RunningServer } from "./server.js";
export { webhookRoutes, webhookServiceRoutes } from "./webhook-route.js";
export type { WebhookRouteDeps } from "./webhook-route.js";
