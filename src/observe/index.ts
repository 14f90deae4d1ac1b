export { createLogger } from "./logger.js";
export type { Logger } from "./logger.js";
export { attachSyncLogging } from "./sync-logging.js";
export { createMetrics } from "./metrics.js";
export type { SyncMetrics, MetricsSources, StagingSnapshot } from "./metrics.js";
export { METRIC_CATALOG, BREAKER_STATE_VALUE } from "./metric-catalog.js";
export type { MetricName } from "./metric-catalog.js";
export { HealthChecker } from "./health.js";
export type { HealthReport, CheckResult, HealthOptions, HealthSources } from "./health.js";
