export { DEMO_ORDERS_SOURCE, ordersSourceOf } from "./queries.js";
export type { OrdersSource, AnalyticsFilter, Row } from "./queries.js";
export { ANALYTICS_VIEWS, analyticsView, parseFilter, toCsv } from "./views.js";
export type { AnalyticsView, PageRequest, ViewResult } from "./views.js";
export { analyticsSql } from "./dialect.js";
export type { AnalyticsSql } from "./dialect.js";
export { endOfDay } from "./time-in-status.js";
export { AggregateCache } from "./cache.js";
export type { Cached } from "./cache.js";
