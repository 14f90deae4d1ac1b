export {
  qualityConfigSchema,
  conditionSchema,
  userRuleSchema,
  defaultQualityConfig,
  COMPARISON_OPS,
} from "./config.js";
export type { QualityConfig, Condition, UserRule, ComparisonOp } from "./config.js";
export { BUILT_IN_RULES, BUILT_IN_RULE_IDS } from "./catalog.js";
export type { BuiltInRuleId } from "./catalog.js";
export { SEVERITIES, SEVERITY_EFFECTS } from "./severity.js";
export type { Severity, OrderAction } from "./severity.js";
export type { Issue, Halt, ValidationContext, ValidationResult } from "./types.js";
export {
  validateOrders,
  mergeResults,
  haltedResult,
  quarantineIssues,
  qualityColumns,
  orderKeyOf,
  severityOf,
} from "./validate.js";
export {
  recordQuarantine,
  releaseFixed,
  quarantinedKeys,
  quarantineRows,
  applyValidation,
  storedOrderKey,
} from "./store.js";
export { buildReport, formatTerminal, toJson, toHtml, writeReports, escapeHtml } from "./report.js";
export type { ValidationReport, ReportRow, RuleSection, CustomerSection } from "./report.js";
