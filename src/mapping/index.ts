export {
  canonicalValue,
  countryNameOf,
  mondayWriteValue,
  renderTemplate,
  templateColumns,
  ValueError,
  decimalNumber,
} from "./values.js";
export type { Canonical, MapperOptions } from "./values.js";
export {
  hasTransforms,
  mappedCanonical,
  mappingSourceColumns,
  mappingSpecs,
  transformedValue,
} from "./transforms.js";
export type { MappingSpec } from "./transforms.js";
export { MappedRow } from "./mapped-row.js";
export type { MappedValue } from "./mapped-row.js";
export { resolveBoard, MappingError } from "./board-schema.js";
export { columnLabels, readColumnLabels, writableLabels } from "./column-settings.js";
export type { ColumnLabel } from "./column-settings.js";
export type { LiveBoard, ResolvedBoard, ResolvedColumn } from "./board-schema.js";
