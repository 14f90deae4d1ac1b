// Public entry: the library surface for programs that embed order-sync.
export * from "./config/index.js";
export { createApp, wireApp } from "./app.js";
export type { App, AppParts } from "./app.js";
