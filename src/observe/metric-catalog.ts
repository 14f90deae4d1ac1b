/**
 * Every metric order-sync exports at `/metrics`, as data: the registry is built from this table, and the
 * ops kit (Grafana dashboard, Prometheus alert rules) is checked against it in tests. The first four are
 * the seed design's; the rest are what an operator needs to see the budget, the breaker and the staging.
 */
export const METRIC_CATALOG = {
  staging_orders_processed_total: {
    type: "counter",
    help: "Orders processed by sync runs, by customer and outcome (created, updated, archived, unchanged, adopted, failed, dead, quarantined, held: left alone by a rollback's hold, discarded: a DEAD order an operator discarded).",
    labels: ["customer", "status"],
  },
  staging_processing_seconds: {
    type: "histogram",
    help: "Time a customer's run spent in each step (reconcile, read, detect, validate, stage, push, record, clear; summed over its pages and requests) and in all (total).",
    labels: ["customer", "operation"],
  },
  staging_table_rows: {
    type: "gauge",
    help: "Rows in each staging table right now.",
    labels: ["table"],
  },
  monday_api_calls_total: {
    type: "counter",
    help: 'HTTP requests to monday.com by GraphQL operation and outcome ("ok" or the error class).',
    labels: ["operation", "status"],
  },
  staging_rows: {
    type: "gauge",
    help: "Rows in each staging table by state (PENDING, IN_FLIGHT, FAILED, DEAD, DONE).",
    labels: ["table", "status"],
  },
  order_sync_quarantined_orders: {
    type: "gauge",
    help: "Orders held back by data quality (MON_Quarantine) right now, by customer.",
    labels: ["customer"],
  },
  staging_oldest_pending_age_seconds: {
    type: "gauge",
    help: "Age of the oldest PENDING row in each staging table (0 when there is none).",
    labels: ["table"],
  },
  monday_api_request_seconds: {
    type: "histogram",
    help: "Duration of HTTP requests to monday.com by GraphQL operation.",
    labels: ["operation"],
  },
  monday_rate_limited_total: {
    type: "counter",
    help: "Requests monday.com answered with a rate limit (HTTP 429 or a complexity/minute limit error).",
    labels: [],
  },
  monday_retries_total: {
    type: "counter",
    help: "Retries of monday.com requests by error class (RateLimitError, ServerError, TimeoutError, NetworkError).",
    labels: ["error_class"],
  },
  monday_complexity_budget_remaining: {
    type: "gauge",
    help: "Complexity points left in the current minute window, as monday.com last reported.",
    labels: [],
  },
  monday_complexity_budget_limit: {
    type: "gauge",
    help: "Complexity points per minute window.",
    labels: [],
  },
  monday_budget_waits_total: {
    type: "counter",
    help: "Times a request waited for the complexity budget to reset.",
    labels: [],
  },
  monday_budget_wait_seconds_total: {
    type: "counter",
    help: "Seconds requests spent waiting for the complexity budget.",
    labels: [],
  },
  monday_circuit_breaker_state: {
    type: "gauge",
    help: "The monday.com circuit breaker: 0 closed, 1 half-open, 2 open.",
    labels: [],
  },
  order_sync_runs_total: {
    type: "counter",
    help: "Finished sync runs by status (SUCCESS, PARTIAL, FAILED, HALTED, STOPPED).",
    labels: ["status"],
  },
  order_sync_run_duration_seconds: {
    type: "histogram",
    help: "Duration of whole sync runs.",
    labels: [],
  },
  order_sync_customer_runs_total: {
    type: "counter",
    help: "Customer runs by result (ok, failed, stopped by shutdown, skipped: another process held the customer's lease).",
    labels: ["customer", "result"],
  },
  order_sync_last_success_timestamp_seconds: {
    type: "gauge",
    help: "Unix time of each customer's last successful sync.",
    labels: ["customer"],
  },
  order_sync_last_run_timestamp_seconds: {
    type: "gauge",
    help: "Unix time the last sync run of this process finished.",
    labels: [],
  },
  order_sync_sync_in_progress: {
    type: "gauge",
    help: "1 while this process runs a sync, else 0.",
    labels: [],
  },
  order_sync_board_drift_items: {
    type: "gauge",
    help: "What the latest comparison of each customer's board with the sync state found, by kind: unknown (items on the board no order's state knows), missing (orders whose item was gone; the run created them again), differ (values that differ; order-sync reconcile).",
    labels: ["customer", "kind"],
  },
  order_sync_health_check: {
    type: "gauge",
    help: "Result of each health check at the last /health evaluation: 1 healthy, 0 unhealthy.",
    labels: ["check"],
  },
  webhook_events_total: {
    type: "counter",
    help: "monday.com webhook events by outcome: received (stored), duplicate, rejected (refused, nothing stored), applied, echo (order-sync's own write), ignored, failed.",
    labels: ["outcome"],
  },
  webhook_inbox_depth: {
    type: "gauge",
    help: "Webhook events stored and not yet applied (PENDING in MON_WebhookInbox).",
    labels: [],
  },
  webhook_inbox_lag_seconds: {
    type: "gauge",
    help: "How long the oldest PENDING webhook event has waited (0 when there is none).",
    labels: [],
  },
} as const satisfies Record<
  string,
  { type: "counter" | "gauge" | "histogram"; help: string; labels: readonly string[] }
>;

/** A metric's name. */
export type MetricName = keyof typeof METRIC_CATALOG;

/** Breaker states as the gauge reports them. */
export const BREAKER_STATE_VALUE = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;
