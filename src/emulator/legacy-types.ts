/**
 * monday's legacy column type names, which `error_data.column_type` of a `ColumnValueException` and a
 * webhook's `columnType` still use (API-FACTS "Errors", "Webhooks"): status is `"color"`, people
 * `"multiple-person"`. Types whose legacy name is not documented keep their API name.
 */
export const LEGACY_COLUMN_TYPES: Readonly<Record<string, string>> = {
  status: "color",
  people: "multiple-person",
  numbers: "numeric",
  checkbox: "boolean",
  long_text: "long-text",
  timeline: "timerange",
  tags: "tag",
};

/** The legacy name of a column type (`status` → `color`). */
export function legacyColumnType(type: string): string {
  return LEGACY_COLUMN_TYPES[type] ?? type;
}
