export { createHttpApp, listen } from "./server.js";
export type { HttpDeps, RunningServer } from "./server.js";
