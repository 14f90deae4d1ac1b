export {
  qualityConfigSchema,
  conditionSchema,
  userRuleSchema,
  defaultQualityConfig,
  COMPARISON_OPS,
  BUILT_IN_RULES,
  BUILT_IN_RULE_IDS,
} from "../config/index.js";
export type { QualityConfig, Condition, UserRule, ComparisonOp, BuiltInRuleId } from "../config/index.js";
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
