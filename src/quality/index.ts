// Validation, quarantine and reports; the `quality:` config block and the rule catalog are config's.
export { SEVERITIES, SEVERITY_EFFECTS } from "./severity.js";
export type { Severity, OrderAction } from "./severity.js";
export type {
  Issue,
  Halt,
  Unmappable,
  UnlistedIssues,
  ValidationContext,
  ValidationResult,
} from "./types.js";
export { ValidationTally, LISTED_ISSUES } from "./tally.js";
export {
  validateOrders,
  validateMapped,
  mergeResults,
  haltedResult,
  issuesResult,
  quarantineIssues,
  qualityColumns,
  orderKeyOf,
  severityOf,
} from "./validate.js";
export {
  recordQuarantine,
  quarantineCounts,
  releaseFixed,
  quarantinedKeys,
  quarantineRows,
  applyValidation,
  releaseStale,
  storedOrderKey,
} from "./store.js";
export {
  buildReport,
  formatTerminal,
  terminalSafe,
  toJson,
  toHtml,
  writeReports,
  escapeHtml,
} from "./report.js";
export type { ValidationReport, ReportRow, RuleSection, CustomerSection } from "./report.js";
export { strayResult, NULL_KEY_ORDER, STRAY_RULES } from "./stray.js";
