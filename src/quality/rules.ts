import { COLUMN_TYPES, type ColumnType } from "../config/index.js";
import {
  hasTransforms,
  mappingSpecs,
  MappingError,
  renderTemplate,
  ValueError,
  type Canonical,
  type MappedRow,
  type MappedValue,
  type ResolvedBoard,
  type MappingSpec,
  type ResolvedColumn,
} from "../mapping/index.js";
import type { BuiltInRuleId } from "../config/index.js";
import { MAX_ITEM_NAME, MAX_LONG_TEXT } from "../monday/index.js";
import type { ValidationContext } from "./types.js";
import { charLength, isEmpty, plainText, quote, textFlaws, type TextFlaws } from "./values.js";

type Row = Readonly<Record<string, unknown>>;

/** Reports one finding of the running rule. */
export type Report = (column: string | null, value: unknown, message: string) => void;

/** A mapped column as the rules see it. */
interface PlannedColumn {
  source: string;
  type: ColumnType;
  column?: ResolvedColumn;
  /** The mapping entry's transforms (join, map, default, dateFormat, defaultCountry), when it has any. */
  spec?: MappingSpec;
}

/** What every rule needs about the batch, worked out once per {@link validateOrders} call. */
export interface BatchPlan {
  ctx: ValidationContext;
  board: ResolvedBoard | undefined;
  /** Mapped source columns (subitem sizes included, as numbers). */
  mapped: PlannedColumn[];
  /** Mapped columns by type (worked out once: the rules run on every row). */
  byType: Record<ColumnType, PlannedColumn[]>;
  /** Mapped numbers columns and quantities. */
  numbers: string[];
  /** Mapped date columns and the business rules' date columns. */
  dates: string[];
  /** ORDER QTY, TOTAL QTY and the board's size columns (whole numbers ≥ 0). */
  quantities: string[];
  quantitySet: ReadonlySet<string>;
  /** The board's size columns, or null to take the row's columns named with the size prefix. */
  sizes: string[] | null;
  /** Columns whose text is checked for control characters: mapped text-like, template and key columns. */
  textColumns: string[];
  required: string[];
  createLabels: boolean;
}

/** A value the mapper could not take, as the rules report it (its plain errors too, e.g. an invalid Date). */
function asValueError(mapped: MappedValue, value: unknown): { value: Canonical } | { error: ValueError } {
  if ("value" in mapped || mapped.error instanceof ValueError) return mapped as { error: ValueError };
  // The mapper can also throw a plain RangeError (an invalid Date object): treat it the same, as a
  // value that cannot be written, so the row is quarantined rather than crashing the run.
  return { error: new ValueError(`cannot read the value: ${String(mapped.error)}`, value) };
}

/**
 * One row being validated. Its canonical values are the {@link MappedRow}'s: the ones detect built the
 * order's snapshot from, read here rather than mapped again.
 */
export class RowView {
  constructor(
    readonly source: MappedRow,
    readonly orderKey: string,
  ) {}

  /** The raw source row (for messages that quote the original value, and the raw-value rules). */
  get row(): Row {
    return this.source.row;
  }

  /** The mapper's canonical value of a column, or the `ValueError` it throws. */
  canonical(source: string, type: ColumnType): { value: Canonical } | { error: ValueError } {
    const mapped = this.source.value(source, type);
    return "error" in mapped ? asValueError(mapped, this.row[source]) : mapped;
  }

  /**
   * A mapped column's canonical value exactly as `buildSnapshot` computes it (transforms included),
   * or the `ValueError` it throws.
   */
  mapped(column: PlannedColumn): { value: Canonical } | { error: ValueError } {
    if (!column.spec) return this.canonical(column.source, column.type);
    const mapped = this.source.mapped(column.spec);
    return "error" in mapped ? asValueError(mapped, mapped.error) : mapped;
  }

  /** The text flaws of a column's plain text (null when the value is not text-like). */
  flaws(source: string): TextFlaws | null {
    let hit = this.flawCache.get(source);
    if (hit === undefined) {
      const text = plainText(this.row[source]);
      hit = text === undefined ? null : textFlaws(text);
      this.flawCache.set(source, hit);
    }
    return hit;
  }

  private readonly flawCache = new Map<string, TextFlaws | null>();

  /** A number column's value as a number (undefined when empty or invalid). */
  number(source: string): number | undefined {
    const c = this.canonical(source, "numbers");
    return "value" in c && c.value !== null ? Number(c.value) : undefined;
  }

  /** A date column's canonical `YYYY-MM-DD[THH:MM:SS]` (undefined when empty or invalid). */
  date(source: string): string | undefined {
    const c = this.canonical(source, "date");
    return "value" in c && c.value !== null ? c.value : undefined;
  }
}

/** A built-in rule that looks at one row at a time. */
export interface RowRule {
  id: BuiltInRuleId;
  check(r: RowView, plan: BatchPlan, report: Report): void;
}

/** A built-in rule that looks at the whole batch; reports per row index. */
export interface BatchRule {
  id: BuiltInRuleId;
  check(
    rows: readonly RowView[],
    plan: BatchPlan,
    report: (index: number, ...f: Parameters<Report>) => void,
  ): void;
}

/** A built-in rule about the customer's board, before any row. */
export interface BoardRule {
  id: BuiltInRuleId;
  check(plan: BatchPlan, report: Report): void;
}

/** `MON_SyncState.order_key` and the other order-key columns are varchar(255). */
const MAX_KEY = 255;
const TEXTUAL: ReadonlySet<ColumnType> = new Set(["text", "long_text", "status", "dropdown"]);
/** Types whose raw values other rules check (number-invalid, date-invalid) when the column has no transforms. */
const RAW_CHECKED: ReadonlySet<ColumnType> = new Set(["numbers", "date"]);

/** Columns of a given mapped type. */
const mappedOf = (plan: BatchPlan, ...types: ColumnType[]) =>
  plan.mapped.filter((c) => types.includes(c.type));

/** Sizes of a row: the board's size columns, or the row's columns named with the prefix. */
function sizeColumns(r: RowView, plan: BatchPlan): string[] {
  if (plan.sizes) return plan.sizes;
  const prefix = plan.ctx.config.columns.sizePrefix;
  return Object.keys(r.row).filter((k) => k.startsWith(prefix));
}

/** Numeric columns of a row: mapped numbers columns and quantities (each once). */
function numberColumns(r: RowView, plan: BatchPlan): string[] {
  if (plan.sizes) return plan.numbers;
  const extra = sizeColumns(r, plan).filter((s) => !plan.numbers.includes(s));
  return extra.length ? [...plan.numbers, ...extra] : plan.numbers;
}

function isQuantity(source: string, plan: BatchPlan): boolean {
  return (
    plan.quantitySet.has(source) || (!plan.sizes && source.startsWith(plan.ctx.config.columns.sizePrefix))
  );
}

/** Renders a template the way `buildSnapshot` does; reports a missing column or an unwritable value. */
function renderChecked(template: string, r: RowView, what: string, report: Report): string | undefined {
  let current = "";
  try {
    return renderTemplate(template, (name) => {
      current = name;
      if (!(name in r.row)) throw new MissingColumn(name);
      return r.row[name];
    });
  } catch (e) {
    if (e instanceof MissingColumn)
      report(
        e.column,
        undefined,
        `the ${what} template ${quote(template)} names column [${e.column}], which the source row lacks`,
      );
    else
      report(
        current,
        r.row[current],
        `the ${what} cannot be made from [${current}]: ${(e as Error).message}`,
      );
    return undefined;
  }
}

class MissingColumn extends Error {
  constructor(readonly column: string) {
    super(column);
  }
}

/** Rules on one row, in the order their issues are listed. */
export const ROW_RULES: readonly RowRule[] = [
  {
    id: "required",
    check(r, plan, report) {
      for (const column of plan.required) {
        const raw = r.row[column];
        if (!(column in r.row))
          report(column, undefined, `[${column}] is required but missing from the source row`);
        else if (isEmpty(raw)) report(column, raw, `[${column}] is required but empty`);
      }
    },
  },
  {
    id: "order-key",
    check(r, plan, report) {
      const column = plan.ctx.keyColumn;
      const raw = r.row[column];
      if (isEmpty(raw)) return; // `required` reports it
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "bigint")
        report(column, raw, `the order number must be text or a number, not ${describeType(raw)}`);
      else if (charLength(r.orderKey) > MAX_KEY)
        report(
          column,
          raw,
          `the order number has ${charLength(r.orderKey)} characters; at most ${MAX_KEY} fit`,
        );
    },
  },
  {
    id: "number-invalid",
    check(r, plan, report) {
      for (const source of numberColumns(r, plan)) {
        const c = r.canonical(source, "numbers");
        if ("error" in c) report(source, r.row[source], c.error.message);
      }
    },
  },
  {
    id: "number-negative",
    check(r, plan, report) {
      for (const source of numberColumns(r, plan)) {
        const n = r.number(source);
        if (n !== undefined && n < 0)
          report(source, r.row[source], `[${source}] is ${n}; it must not be negative`);
      }
    },
  },
  {
    id: "quantity-integer",
    check(r, plan, report) {
      for (const source of numberColumns(r, plan)) {
        if (!isQuantity(source, plan)) continue;
        const n = r.number(source);
        if (n !== undefined && !Number.isInteger(n))
          report(source, r.row[source], `[${source}] is ${n}; a quantity must be a whole number`);
        else if (n !== undefined && !Number.isSafeInteger(n))
          report(source, r.row[source], `[${source}] is ${n}; a quantity must be at most 2^53 - 1`);
      }
    },
  },
  {
    id: "date-invalid",
    check(r, plan, report) {
      for (const source of plan.dates) {
        const c = r.canonical(source, "date");
        if ("error" in c) report(source, r.row[source], c.error.message);
      }
    },
  },
  {
    id: "date-range",
    check(r, plan, report) {
      const { min, max } = plan.ctx.config.dateYears;
      for (const source of plan.dates) {
        const d = r.date(source);
        const year = d === undefined ? undefined : Number(d.slice(0, 4));
        if (year !== undefined && (year < min || year > max))
          report(source, r.row[source], `[${source}] is ${d}; its year must be between ${min} and ${max}`);
      }
    },
  },
  {
    id: "long-text-length",
    check(r, plan, report) {
      for (const { source } of mappedOf(plan, "long_text")) {
        const text = plainText(r.row[source]);
        if (text !== undefined && text.length > MAX_LONG_TEXT)
          report(
            source,
            r.row[source],
            `[${source}] has ${text.length} characters; monday's long text holds ${MAX_LONG_TEXT}`,
          );
      }
    },
  },
  {
    id: "text-length",
    check(r, plan, report) {
      const max = plan.ctx.config.maxTextLength;
      for (const planned of plan.byType.text) {
        const c = r.mapped(planned);
        const length = "value" in c && typeof c.value === "string" ? charLength(c.value) : 0;
        if (length > max)
          report(
            planned.source,
            r.row[planned.source],
            `[${planned.source}] has ${length} characters; quality.maxTextLength allows ${max} for a text column`,
          );
      }
    },
  },
  {
    id: "value-type",
    check(r, plan, report) {
      // numbers and dates without transforms are number-invalid's and date-invalid's.
      for (const planned of plan.mapped.filter((c) => c.spec || !RAW_CHECKED.has(c.type))) {
        const { source, type } = planned;
        const c = r.mapped(planned);
        if (!("error" in c)) continue;
        const text = plainText(r.row[source]);
        if (!planned.spec && type === "long_text" && text !== undefined && text.length > MAX_LONG_TEXT)
          continue; // long-text-length
        report(
          source,
          r.row[source],
          `[${source}] cannot be written to a ${type} column: ${c.error.message}`,
        );
      }
    },
  },
  {
    id: "item-name",
    check(r, plan, report) {
      if (!plan.board) return;
      const template = plan.board.config.itemName;
      const name = renderChecked(template, r, "item name", report);
      if (name === undefined) return;
      const length = charLength(name);
      if (length === 0)
        report(
          null,
          "",
          `the item name (${quote(template)}) is empty; monday needs 1–${MAX_ITEM_NAME} characters`,
        );
      else if (length > MAX_ITEM_NAME)
        report(
          null,
          name,
          `the item name (${quote(template)}) has ${length} characters; monday allows at most ${MAX_ITEM_NAME}`,
        );
    },
  },
  {
    id: "group-name",
    check(r, plan, report) {
      if (plan.ctx.groupTemplate !== undefined)
        renderChecked(plan.ctx.groupTemplate, r, "group title", report);
    },
  },
  {
    id: "text-encoding",
    check(r, plan, report) {
      for (const source of plan.textColumns) {
        const flaw = r.flaws(source)?.unencodable;
        if (flaw)
          report(
            source,
            r.row[source],
            `[${source}] holds ${flaw}, which cannot be stored or sent unchanged`,
          );
      }
    },
  },
  {
    id: "text-control-chars",
    check(r, plan, report) {
      for (const source of plan.textColumns) {
        const flaw = r.flaws(source)?.control;
        if (flaw) report(source, r.row[source], `[${source}] holds the control character ${flaw}`);
      }
    },
  },
  {
    id: "unknown-label",
    check(r, plan, report) {
      if (plan.createLabels) return;
      for (const planned of mappedOf(plan, "status", "dropdown")) {
        const { source, type, column } = planned;
        const c = r.mapped(planned);
        if (!("value" in c) || c.value === null || !column) continue;
        const labels = type === "dropdown" ? c.value.split(",") : [c.value];
        const unknown = labels.filter((l) => !column.labels.includes(l));
        if (unknown.length)
          report(
            source,
            r.row[source],
            `${unknown.map((u) => quote(u)).join(", ")} is not a label of column "${column.title}" (${column.id}); its labels: ${
              column.labels.map((l) => quote(l)).join(", ") || "none"
            }`,
          );
      }
    },
  },
  {
    id: "total-qty-sum",
    check(r, plan, report) {
      const column = plan.ctx.config.columns.totalQty;
      const total = r.number(column);
      const sizes = sizeColumns(r, plan);
      if (total === undefined || sizes.length === 0) return;
      let sum = 0;
      const parts: string[] = [];
      for (const s of sizes) {
        if (isEmpty(r.row[s])) continue;
        const n = r.number(s);
        if (n === undefined) return; // number-invalid reports it
        sum += n;
        parts.push(`${s} ${n}`);
      }
      if (Math.abs(sum - total) > 1e-9 * Math.max(1, Math.abs(total)))
        report(
          column,
          r.row[column],
          `[${column}] ${total} is not the sum of the sizes: ${parts.join(" + ") || "none"} = ${sum}`,
        );
    },
  },
  {
    id: "order-qty-total",
    check(r, plan, report) {
      const { orderQty, totalQty } = plan.ctx.config.columns;
      const ordered = r.number(orderQty);
      const total = r.number(totalQty);
      if (ordered !== undefined && total !== undefined && ordered !== total)
        report(orderQty, r.row[orderQty], `[${orderQty}] ${ordered} differs from [${totalQty}] ${total}`);
    },
  },
  {
    id: "delivery-before-ex-factory",
    check(r, plan, report) {
      const { deliveryDate, exFactoryDate } = plan.ctx.config.columns;
      const delivery = r.date(deliveryDate)?.slice(0, 10);
      const exFactory = r.date(exFactoryDate)?.slice(0, 10);
      if (delivery !== undefined && exFactory !== undefined && delivery < exFactory)
        report(
          deliveryDate,
          r.row[deliveryDate],
          `[${deliveryDate}] ${delivery} is before [${exFactoryDate}] ${exFactory}`,
        );
    },
  },
];

/** Rules on the whole batch. */
export const BATCH_RULES: readonly BatchRule[] = [
  {
    id: "duplicate-order",
    check(rows, plan, report) {
      const seen = new Map<string, number[]>();
      rows.forEach((r, i) => {
        const list = seen.get(r.orderKey);
        if (list) list.push(i);
        else seen.set(r.orderKey, [i]);
      });
      for (const [key, indexes] of seen) {
        if (indexes.length < 2 || isEmpty(rows[indexes[0]!]!.row[plan.ctx.keyColumn])) continue;
        for (const i of indexes)
          report(
            i,
            plan.ctx.keyColumn,
            rows[i]!.row[plan.ctx.keyColumn],
            `order ${quote(key)} appears ${indexes.length} times in the batch`,
          );
      }
    },
  },
];

/** Rules on the customer's board. */
export const BOARD_RULES: readonly BoardRule[] = [
  {
    id: "board-configured",
    check(plan, report) {
      if (plan.ctx.board === undefined)
        report(null, plan.ctx.customer, `customer ${quote(plan.ctx.customer)} has no board configured`);
    },
  },
  {
    id: "column-mapping",
    check(plan, report) {
      const { board, liveBoard } = plan.ctx;
      if (board instanceof MappingError) {
        report(board.configKey, board.boardId, board.message);
        return;
      }
      if (!board || !liveBoard) return;
      for (const c of [board.keyColumn, ...board.columns]) {
        const live = liveBoard.columns.find((l) => l.id === c.id);
        const name = c.source || plan.ctx.keyColumn;
        if (!live)
          report(
            name,
            c.id,
            `board ${board.id} ("${board.name}") has no column "${c.id}" ("${c.title}") any more; [${name}] maps to it`,
          );
        else if (live.type !== c.type)
          report(
            name,
            live.type,
            `column "${c.id}" ("${c.title}") on board ${board.id} is now of type ${live.type}; [${name}] maps it as ${c.type}`,
          );
      }
    },
  },
];

function describeType(raw: unknown): string {
  if (raw instanceof Date) return "a date object";
  if (raw instanceof Uint8Array) return "binary data";
  if (Array.isArray(raw)) return "a list";
  return typeof raw === "object" ? "an object" : `a ${typeof raw}`;
}

/** Works out the batch plan from the context. */
export function planBatch(ctx: ValidationContext): BatchPlan {
  const board = ctx.board instanceof MappingError ? undefined : ctx.board;
  const cfg = ctx.config;
  const specs = board ? mappingSpecs(board) : [];
  const mapped: PlannedColumn[] = board
    ? board.columns.map((c, i) => {
        const spec = specs[i];
        return {
          source: c.source,
          type: c.type,
          column: c,
          ...(spec && hasTransforms(spec) ? { spec } : {}),
        };
      })
    : [];
  const sizes = board?.subitems ? board.subitems.sizes.map((s) => s.source) : null;
  for (const s of sizes ?? []) mapped.push({ source: s, type: "numbers" });
  const byType = Object.fromEntries(
    COLUMN_TYPES.map((t) => [t, mapped.filter((c) => c.type === t)]),
  ) as Record<ColumnType, PlannedColumn[]>;
  const quantities = [...new Set([cfg.columns.orderQty, cfg.columns.totalQty, ...(sizes ?? [])])];
  const textColumns = new Set<string>([ctx.keyColumn]);
  for (const c of mapped) if (TEXTUAL.has(c.type)) textColumns.add(c.source);
  const templates = [board?.config.itemName, ctx.groupTemplate].filter((t): t is string => t !== undefined);
  for (const t of templates) for (const m of t.matchAll(/\{([^{}]+)\}/g)) if (m[1]) textColumns.add(m[1]);
  const required = new Set<string>([ctx.keyColumn]);
  if (ctx.customerColumn) required.add(ctx.customerColumn);
  for (const r of cfg.required) required.add(r);
  return {
    ctx,
    board,
    mapped,
    byType,
    // Transformed columns are checked on their transformed value (value-type), not on the raw one.
    numbers: [...new Set([...byType.numbers.filter((c) => !c.spec).map((c) => c.source), ...quantities])],
    dates: [
      ...new Set([
        ...byType.date.filter((c) => !c.spec).map((c) => c.source),
        cfg.columns.exFactoryDate,
        cfg.columns.deliveryDate,
      ]),
    ],
    quantities,
    quantitySet: new Set(quantities),
    sizes,
    textColumns: [...textColumns],
    required: [...required],
    createLabels: board?.config.createLabelsIfMissing ?? false,
  };
}
