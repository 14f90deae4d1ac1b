// Retention: how long run logs, change logs and report files are kept (`order-sync prune`, `serve`).
export { ageMs, hasRetention, prune } from "./prune.js";
export type { PruneReport } from "./prune.js";
export { pruneAfterRuns } from "./after-runs.js";
