export {
  generateOrders,
  demoOrderKey,
  DEMO_COLUMNS,
  DEMO_SIZES,
  DEMO_SEASONS,
  CANCELLED_MARK,
  MAX_DEMO_ORDERS,
} from "./orders.js";
export type { GenerateOptions, DemoSize } from "./orders.js";
export { createOrdersTable, writeDemoOrders, writeDemoDatabase, DEMO_TABLE } from "./write.js";
export type { WriteDemoOptions } from "./write.js";
export { mulberry32 } from "./random.js";
