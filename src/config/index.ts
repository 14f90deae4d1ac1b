export {
  configSchema,
  COLUMN_TYPES,
  COLUMN_DIRECTIONS,
  CONFLICT_POLICIES,
  REMOVED_ITEM_POLICIES,
} from "./schema.js";
export {
  qualityConfigSchema,
  conditionSchema,
  userRuleSchema,
  defaultQualityConfig,
  COMPARISON_OPS,
} from "./quality.js";
export type { QualityConfig, Condition, UserRule, ComparisonOp } from "./quality.js";
export { BUILT_IN_RULES, BUILT_IN_RULE_IDS, SEVERITIES, atLeast, isBuiltInRule } from "./quality-rules.js";
export type { BuiltInRuleId, Severity } from "./quality-rules.js";
export type {
  Config,
  BoardConfig,
  CustomerConfig,
  ColumnMapping,
  BoardColumnRef,
  ColumnType,
  ColumnTransform,
  ColumnDirection,
  ConflictPolicy,
  TrackedColumn,
  WriteBackConfig,
  RetentionConfig,
} from "./schema.js";
export { ConfigError, loadSettings, parseConfig, resolveSettings, formatIssues } from "./load.js";
export type { Settings } from "./load.js";
export { starterConfig, STARTER_BOARD_ID, STARTER_SUBITEMS_BOARD_ID } from "./starter.js";
export { DEMO_CUSTOMERS, ORDER_STATUS_LABELS } from "./starter.js";
export { REDACTED, hasUserInfo, redactSecrets, redactUrl, urlSecrets } from "./secrets.js";
export { configFromBoard } from "./from-board.js";
export type { FromBoardResult, LiveBoard as FromBoardInput, LiveColumn } from "./from-board.js";
