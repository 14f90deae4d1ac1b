export { canonicalValue, mondayWriteValue, renderTemplate, templateColumns, ValueError } from "./values.js";
export type { Canonical } from "./values.js";
export { resolveBoard, columnLabels, MappingError } from "./board-schema.js";
export type { LiveBoard, ResolvedBoard, ResolvedColumn } from "./board-schema.js";
