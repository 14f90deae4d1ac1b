import { z } from "zod";
import type { Db } from "../db/index.js";
import {
  lateAndAtRisk,
  leadTimes,
  onTimeRate,
  weeklyThroughput,
  workInProgress,
  type AnalyticsFilter,
  type OrdersSource,
  type Row,
} from "./queries.js";
import { timeInStatus } from "./time-in-status.js";

/** One analytics view: its name in `/api/analytics/<name>` and `/analytics/<name>`, and how to compute it. */
export interface AnalyticsView {
  name: string;
  title: string;
  description: string;
  /** The columns of its rows, in order (the CSV header). */
  columns: readonly string[];
  /** Paged views answer one page and the total; the others answer every (aggregated) row. */
  paged: boolean;
  run(db: Db, source: OrdersSource, filter: AnalyticsFilter, page: PageRequest): Promise<ViewResult>;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface ViewResult {
  rows: Row[];
  total: number;
}

const all = (rows: Row[]): ViewResult => ({ rows, total: rows.length });

/** The planner analytics, in menu order. */
export const ANALYTICS_VIEWS: readonly AnalyticsView[] = [
  {
    name: "on-time",
    title: "On-time rate",
    description:
      "Of the orders whose ex-factory (delivery) date is on or before the as-of date, the share in a done status, by customer and season",
    columns: [
      "customer",
      "season",
      "orders",
      "ex_factory_due",
      "ex_factory_on_time",
      "ex_factory_rate",
      "delivery_due",
      "delivery_on_time",
      "delivery_rate",
    ],
    paged: false,
    run: async (db, s, f) => all(await onTimeRate(db, s, f)),
  },
  {
    name: "at-risk",
    title: "Late and at-risk orders",
    description:
      "Late: ex-factory before the as-of date and not done. At risk: ex-factory within N days and not yet in an advanced status",
    columns: ["order_key", "customer", "season", "status", "ex_factory", "days_left", "risk"],
    paged: true,
    run: (db, s, f, page) => lateAndAtRisk(db, s, f, page),
  },
  {
    name: "lead-times",
    title: "Lead times",
    description: "Days from ex-factory to delivery, orders per week-wide bucket",
    columns: ["days_from", "days_to", "orders", "min_days", "max_days"],
    paged: false,
    run: async (db, s, f) => all(await leadTimes(db, s, f)),
  },
  {
    name: "wip",
    title: "Work in progress",
    description: "Orders and quantity by status",
    columns: ["status", "orders", "quantity"],
    paged: false,
    run: async (db, s, f) => all(await workInProgress(db, s, f)),
  },
  {
    name: "throughput",
    title: "Weekly throughput",
    description: "Orders in a done status and their quantity, by the week (Monday) of their ex-factory date",
    columns: ["week", "orders", "quantity"],
    paged: false,
    run: async (db, s, f) => all(await weeklyThroughput(db, s, f)),
  },
  {
    name: "time-in-status",
    title: "Time in each status",
    description:
      "From two-way sync's status history: stays in each status (a change until the item's next change, or until the end of the as-of date), their orders, and hours in total, on average and at most",
    columns: ["status", "stays", "orders", "open_stays", "total_hours", "avg_hours", "max_hours"],
    paged: false,
    run: async (db, s, f) => all(await timeInStatus(db, s, f)),
  },
];

/** The view called `name`, if there is one. */
export function analyticsView(name: string): AnalyticsView | undefined {
  return ANALYTICS_VIEWS.find((v) => v.name === name);
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const list = z.string().transform((v) =>
  v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

/** Query parameters of every view; bad ones are reported by name. */
export const filterQuery = z.object({
  customer: z.string().max(255).optional(),
  season: z.string().max(16).optional(),
  asOf: day.optional(),
  days: z.coerce.number().int().min(0).max(3650).default(14),
  done: list.default(["Shipped"]),
  advanced: list.default(["In Production", "Shipped"]),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Parses query parameters into a filter and a page, or the one-line reasons they are bad. */
export function parseFilter(
  query: Record<string, string>,
  today: () => string = () => new Date().toISOString().slice(0, 10),
): { ok: true; filter: AnalyticsFilter; page: PageRequest } | { ok: false; error: string } {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ""));
  const r = filterQuery.safeParse(clean);
  if (!r.success)
    return { ok: false, error: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  const q = r.data;
  return {
    ok: true,
    filter: {
      ...(q.customer ? { customer: q.customer } : {}),
      ...(q.season ? { season: q.season } : {}),
      asOf: q.asOf ?? today(),
      days: q.days,
      doneStatuses: q.done,
      advancedStatuses: q.advanced,
    },
    page: { limit: q.limit, offset: q.offset },
  };
}

/** RFC 4180 CSV of rows in `columns` order; a cell starting with = + - @ is prefixed with ' (no formulas). */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return "";
    let s = String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n"
  );
}
