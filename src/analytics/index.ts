export { DEMO_ORDERS_SOURCE, ordersSourceOf } from "./queries.js";
export type { OrdersSource, AnalyticsFilter, Row } from "./queries.js";
export { ANALYTICS_VIEWS, analyticsView, parseFilter, toCsv } from "./views.js";
export type { AnalyticsView, PageRequest, ViewResult } from "./views.js";
