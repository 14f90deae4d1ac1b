import { z } from "zod";
import { RE2JS } from "re2js";
import { atLeast, BUILT_IN_RULES, BUILT_IN_RULE_IDS, isBuiltInRule, SEVERITIES } from "./quality-rules.js";

/** Comparison operators of user-rule conditions. */
export const COMPARISON_OPS = ["==", "!=", "<", "<=", ">", ">="] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");
const severity = z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(", ")}` });
const scalar = z.union([z.string(), z.number(), z.boolean()], {
  message: "must be a string, a number or true/false",
});
const bound = z.union([z.number(), z.string()], { message: "must be a number or a string (e.g. a date)" });

/** The keys that say what a condition tests; a condition has exactly one of them. */
const CONDITION_KINDS = ["op", "between", "pattern", "in", "required"] as const;

/**
 * One test on a source row. Exactly one of:
 * `{ column, op, value }` / `{ column, op, otherColumn }` (comparison; numeric when both sides are numbers),
 * `{ column, between: [min, max] }` (inclusive), `{ column, pattern: "regex" }` (RE2 syntax, run in linear
 * time by re2js so no pattern can stall a sync; no backreferences or lookaround),
 * `{ column, in: [...] }`, `{ column, required: true }`.
 * An empty value (NULL, "") passes every test but `required`; in `when` it makes the rule not apply.
 */
export const conditionSchema = z
  .object({
    column: nonEmpty,
    op: z.enum(COMPARISON_OPS, { message: `must be one of ${COMPARISON_OPS.join(" ")}` }).optional(),
    value: scalar.optional(),
    otherColumn: nonEmpty.optional(),
    between: z.tuple([bound, bound], { message: "must be a list of two bounds: [min, max]" }).optional(),
    pattern: z.string().min(1, "must be a non-empty regular expression").optional(),
    in: z.array(scalar).min(1, "must list at least one value").optional(),
    required: z
      .literal(true, { message: "must be true (required-if is `when` + `required: true`)" })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const kinds = CONDITION_KINDS.filter((k) => c[k] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: "custom",
        message:
          kinds.length === 0
            ? `a condition needs one of ${CONDITION_KINDS.join(", ")}`
            : `a condition takes only one of ${CONDITION_KINDS.join(", ")}; got ${kinds.join(" and ")}`,
      });
    if (c.op !== undefined && (c.value === undefined) === (c.otherColumn === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["op"],
        message: "a comparison needs exactly one of value or otherColumn",
      });
    if (c.op === undefined && (c.value !== undefined || c.otherColumn !== undefined))
      ctx.addIssue({
        code: "custom",
        path: [c.value !== undefined ? "value" : "otherColumn"],
        message: "value and otherColumn belong to a comparison: add op (==, !=, <, <=, >, >=)",
      });
    if (c.between && typeof c.between[0] === typeof c.between[1] && c.between[0] > c.between[1])
      ctx.addIssue({ code: "custom", path: ["between"], message: "min must not be greater than max" });
    if (c.pattern !== undefined) {
      try {
        RE2JS.compile(c.pattern);
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          path: ["pattern"],
          message: `is not a valid RE2 regular expression (linear time: no backreferences or lookaround): ${(e as Error).message}`,
        });
      }
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

/** A rule declared in YAML: when `when` holds (or always), `check` must hold, else an issue of `severity`. */
export const userRuleSchema = z
  .object({
    /** The rule's id in reports and in the quarantine table. */
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/, "must be 1–100 letters, digits, space, _ . : -"),
    severity,
    when: conditionSchema.optional(),
    check: conditionSchema,
    /** Shown with each issue; the default describes the failed check. */
    message: nonEmpty.max(500, "must be at most 500 characters").optional(),
  })
  .strict();
export type UserRule = z.infer<typeof userRuleSchema>;

const DEFAULT_COLUMNS = {
  orderQty: "ORDER QTY",
  totalQty: "TOTAL QTY",
  sizePrefix: "SIZE_",
  exFactoryDate: "EX FACTORY DATE",
  deliveryDate: "DELIVERY DATE",
};
const DEFAULT_YEARS = { min: 1900, max: 2200 };

const qualityObject = z
  .object({
    /** Where each sync and `validate` write the JSON and HTML validation reports (relative to the config file). */
    reportDir: nonEmpty.default("validation-reports"),
    /** Source columns that must not be empty; the key and customer columns always are. */
    required: z.array(nonEmpty).default(["STYLE", "ORDER QTY", "TOTAL QTY"]),
    /** Source columns the built-in business rules read. */
    columns: z
      .object({
        orderQty: nonEmpty.default(DEFAULT_COLUMNS.orderQty),
        totalQty: nonEmpty.default(DEFAULT_COLUMNS.totalQty),
        /** Quantity columns per size, when the board has no `subitems.sizes` list. */
        sizePrefix: nonEmpty.default(DEFAULT_COLUMNS.sizePrefix),
        exFactoryDate: nonEmpty.default(DEFAULT_COLUMNS.exFactoryDate),
        deliveryDate: nonEmpty.default(DEFAULT_COLUMNS.deliveryDate),
      })
      .strict()
      .default(DEFAULT_COLUMNS),
    /** Dates whose year is outside this range are `date-range` issues. */
    dateYears: z
      .object({
        min: z.number().int().min(1000, "must be a four-digit year").default(DEFAULT_YEARS.min),
        max: z.number().int().max(9999, "must be a four-digit year").default(DEFAULT_YEARS.max),
      })
      .strict()
      .refine((y) => y.min <= y.max, { message: "min must not be after max" })
      .default(DEFAULT_YEARS),
    /** Built-in rule id → severity, overriding the rule's default. */
    severities: z
      .record(z.string(), severity)
      .superRefine((severities, ctx) => {
        for (const [id, sev] of Object.entries(severities)) {
          if (!isBuiltInRule(id)) {
            ctx.addIssue({
              code: "custom",
              path: [id],
              message: `unknown rule "${id}"; built-in rules: ${BUILT_IN_RULE_IDS.join(", ")} (user rules set their own severity)`,
            });
            continue;
          }
          const { floor, description } = BUILT_IN_RULES[id];
          if (!atLeast(sev, floor))
            ctx.addIssue({
              code: "custom",
              path: [id],
              message: `"${id}" cannot be below ${floor}: ${description}, so such a row cannot be synced`,
            });
        }
      })
      .default({}),
    rules: z
      .array(userRuleSchema)
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (isBuiltInRule(r.name))
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `"${r.name}" is a built-in rule; give the user rule another name`,
            });
          if (seen.has(r.name))
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `rule "${r.name}" is declared twice`,
            });
          seen.add(r.name);
        });
      })
      .default([]),
    /**
     * The longest value, in characters, order-sync sends to a plain text column. monday documents no limit
     * for text columns (API-FACTS: long text holds 2,000, item names 255), so this is order-sync's own guard
     * against sending megabytes a board cannot show; a longer value is a `text-length` ERROR.
     */
    maxTextLength: z.number().int().min(1, "must be at least 1").default(2_000),
    /** More ERROR orders than this share of a customer's validated orders halts the customer, like CRITICAL. */
    maxErrorShare: z
      .number()
      .min(0, "must be between 0 and 1")
      .max(1, "must be between 0 and 1")
      .default(0.5),
    /** The share rule applies only from this many validated orders on (one bad order of two is no outbreak). */
    minOrdersForErrorShare: z.number().int().min(1, "must be at least 1").default(10),
  })
  .strict();

/**
 * The `quality:` block of order-sync.yaml (strict; every key has a default, so `quality:` may be left out
 * or empty).
 *
 * @example
 * const config = z.object({ quality: qualityConfigSchema }).parse(yaml);
 */
export const qualityConfigSchema = z.preprocess(
  // `quality:` with every key commented out is YAML null: the defaults, like no block at all.
  (v) => (v === null ? undefined : v),
  qualityObject.prefault({}),
);
export type QualityConfig = z.output<typeof qualityConfigSchema>;

/** The defaults, i.e. what an absent `quality:` block means. */
export function defaultQualityConfig(): QualityConfig {
  return qualityConfigSchema.parse(undefined);
}
