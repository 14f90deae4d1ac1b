import type { ComparisonOp, Condition, UserRule } from "../config/index.js";
import { RE2JS } from "re2js";
import { isEmpty, numeric, plainText, quote } from "./values.js";

type Row = Readonly<Record<string, unknown>>;

/** A condition compiled once per config: `test` says whether it holds, `describe` what it asks. */
interface CompiledCondition {
  column: string;
  /** True, false, or "empty" when the column is empty (a non-`required` test does not apply then). */
  test(row: Row): boolean | "empty";
  describe: string;
}

/** A user rule ready to run on rows. */
export interface CompiledUserRule {
  name: string;
  severity: UserRule["severity"];
  column: string;
  message: string;
  /** Whether the rule fails on the row (its `when` holds and its `check` does not). */
  fails(row: Row): boolean;
}

/** Compares two raw values: numerically when both are numbers, else as text. */
function compare(a: unknown, b: unknown): number | undefined {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x - y;
  const s = plainText(a);
  const t = plainText(b);
  if (s === undefined || t === undefined) return undefined;
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Comparison operators as data. */
const OPS: Record<ComparisonOp, (d: number) => boolean> = {
  "==": (d) => d === 0,
  "!=": (d) => d !== 0,
  "<": (d) => d < 0,
  "<=": (d) => d <= 0,
  ">": (d) => d > 0,
  ">=": (d) => d >= 0,
};

function compileCondition(c: Condition): CompiledCondition {
  const column = c.column;
  const guard =
    (test: (v: unknown, row: Row) => boolean) =>
    (row: Row): boolean | "empty" =>
      isEmpty(row[column]) ? "empty" : test(row[column], row);
  if (c.required) return { column, test: (row) => !isEmpty(row[column]), describe: `${column} is required` };
  if (c.op !== undefined) {
    const op = OPS[c.op];
    if (c.otherColumn !== undefined) {
      const other = c.otherColumn;
      return {
        column,
        // An empty other side makes the comparison not apply, like an empty own side.
        test: (row) => {
          if (isEmpty(row[column]) || isEmpty(row[other])) return "empty";
          const d = compare(row[column], row[other]);
          return d !== undefined && op(d);
        },
        describe: `${column} ${c.op} ${other}`,
      };
    }
    const value = c.value;
    return {
      column,
      test: guard((v) => {
        const d = compare(v, value);
        return d !== undefined && op(d);
      }),
      describe: `${column} ${c.op} ${quote(value)}`,
    };
  }
  if (c.between !== undefined) {
    const [min, max] = c.between;
    return {
      column,
      test: guard((v) => {
        const lo = compare(v, min);
        const hi = compare(v, max);
        // A number bound wants a number: "abc" is not between 1 and 5.
        if (typeof min === "number" && numeric(v) === undefined) return false;
        return lo !== undefined && hi !== undefined && lo >= 0 && hi <= 0;
      }),
      describe: `${column} between ${quote(min)} and ${quote(max)}`,
    };
  }
  if (c.pattern !== undefined) {
    // RE2 (re2js, pure JS): linear-time matching, so a pattern like (a+)+$ cannot block a sync.
    const re = RE2JS.compile(c.pattern);
    return {
      column,
      test: guard((v) => {
        const text = plainText(v);
        return text !== undefined && re.matcher(text).find();
      }),
      describe: `${column} matches /${c.pattern}/`,
    };
  }
  const options = c.in ?? [];
  return {
    column,
    test: guard((v) => options.some((o) => compare(v, o) === 0)),
    describe: `${column} in [${options.map((o) => quote(o)).join(", ")}]`,
  };
}

const cache = new WeakMap<readonly UserRule[], CompiledUserRule[]>();

/** Compiles the config's user rules (cached per rules array, so a run compiles them once). */
export function compileUserRules(rules: readonly UserRule[]): CompiledUserRule[] {
  let compiled = cache.get(rules);
  if (compiled) return compiled;
  compiled = rules.map((rule) => {
    const check = compileCondition(rule.check);
    const when = rule.when ? compileCondition(rule.when) : undefined;
    return {
      name: rule.name,
      severity: rule.severity,
      column: check.column,
      message: rule.message ?? `expected ${check.describe}${when ? ` (since ${when.describe})` : ""}`,
      fails: (row: Row) => {
        if (when && when.test(row) !== true) return false;
        return check.test(row) === false;
      },
    };
  });
  cache.set(rules, compiled);
  return compiled;
}
