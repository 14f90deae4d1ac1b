export { dashboardRoutes } from "./routes.js";
export type { DashboardDeps } from "./routes.js";
export { SESSION_COOKIE } from "./auth.js";
