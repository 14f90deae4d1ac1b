// Public entry: the library surface for programs that embed order-sync.
export * from "./config/index.js";
