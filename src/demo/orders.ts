import { DEMO_CUSTOMERS, ORDER_STATUS_LABELS } from "../config/index.js";
import type { OrderRow } from "../source/index.js";
import { mixSeed, rng, type Rng } from "./random.js";

/** Sizes in the demo data, smallest first; each has a `SIZE_<size>` column. */
export const DEMO_SIZES = ["XS", "S", "M", "L", "XL", "XXL"] as const;
export type DemoSize = (typeof DEMO_SIZES)[number];

/** The demo table's columns, in table order. */
export const DEMO_COLUMNS = [
  "AAG ORDER NUMBER",
  "CUSTOMER",
  "PO NUMBER",
  "STYLE",
  "COLOR",
  "SEASON",
  "ORDER QTY",
  "TOTAL QTY",
  ...DEMO_SIZES.map((s) => `SIZE_${s}` as const),
  "EX FACTORY DATE",
  "DELIVERY DATE",
  "ORDER STATUS",
  "LAST MODIFIED",
] as const;

/** Seasons the demo orders belong to. */
export const DEMO_SEASONS = ["SS26", "FW26", "SS27", "FW27"] as const;

/** Highest order index the 7-digit key format keeps in index order. */
export const MAX_DEMO_ORDERS = 9_999_999;

/** The text that marks a cancelled demo order's key (the seed's rule). */
export const CANCELLED_MARK = "CANCELLED";

interface Garment {
  code: number;
  name: string;
  run: readonly DemoSize[];
}

const XS_XL: readonly DemoSize[] = ["XS", "S", "M", "L", "XL"];
const S_XXL: readonly DemoSize[] = ["S", "M", "L", "XL", "XXL"];

const GARMENTS: readonly Garment[] = [
  { code: 2231, name: "Merino Crew", run: XS_XL },
  { code: 1187, name: "Organic Cotton Tee", run: XS_XL },
  { code: 3104, name: "Quilted Vest", run: S_XXL },
  { code: 4410, name: "Fleece Half-Zip", run: S_XXL },
  { code: 2658, name: "Ribbed Cardigan", run: XS_XL },
  { code: 5172, name: "Ripstop Cargo Pant", run: S_XXL },
  { code: 3390, name: "Linen Camp Shirt", run: XS_XL },
  { code: 6021, name: "Waxed Field Jacket", run: S_XXL },
  { code: 1745, name: "Cable Knit Beanie Set", run: XS_XL },
  { code: 7308, name: "Softshell Parka", run: S_XXL },
];

const COLORS = [
  "Black",
  "Navy",
  "Heather Grey",
  "Oatmeal",
  "Forest",
  "Rust",
  "Ivory",
  "Charcoal",
  "Sage",
  "Burgundy",
];

/** Share of each size in an order; the middle sizes sell most. */
const SIZE_WEIGHT: Record<DemoSize, number> = { XS: 0.08, S: 0.18, M: 0.28, L: 0.24, XL: 0.14, XXL: 0.08 };

/** Status labels with how often each occurs. */
const STATUS_WEIGHTS: readonly [string, number][] = ORDER_STATUS_LABELS.map((label, i) => [
  label,
  [0.25, 0.3, 0.3, 0.1, 0.05][i] ?? 0.05,
]);

/** Style code prefixes of the demo customers; others get the initials of their first two words. */
const STYLE_PREFIX: Record<string, string> = {
  "NORTHWIND APPAREL": "NW",
  "BLUE HARBOR": "BH",
  "KESTREL OUTDOOR": "KO",
  "MAPLE & MOSS": "MM",
  "URBAN THREAD CO": "UT",
};

function prefixOf(customer: string): string {
  const words = customer.split(/[^A-Z]+/).filter(Boolean);
  return (
    STYLE_PREFIX[customer] ??
    (words
      .map((w) => w[0])
      .join("")
      .slice(0, 2) ||
      "XX")
  );
}

const PREFIXES = DEMO_CUSTOMERS.map((c) => prefixOf(c.name));
const DAY_MS = 86_400_000;
const LAST_MODIFIED_BASE = Date.UTC(2026, 0, 1);

/** ISO dates by day number since the epoch: the demo spans a few hundred days, so formatting once pays. */
const dayCache = new Map<number, string>();

function isoDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayCache.set(day, text);
  }
  return text;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DD HH:MM:SS`: PostgreSQL returns `timestamp` in this form, so both engines read back the same text. */
function sqlTimestamp(ms: number): string {
  const seconds = Math.floor((ms % DAY_MS) / 1000);
  const hms = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
  return `${isoDate(ms)} ${hms}`;
}

function weighted(r: Rng, items: readonly [string, number][]): string {
  let x = r.next() * items.reduce((s, [, w]) => s + w, 0);
  for (const [item, w] of items) if ((x -= w) < 0) return item;
  return items[items.length - 1]![0];
}

/** The demo order key for a zero-based index: `AAG-0000001` for 0. */
export function demoOrderKey(index: number): string {
  return `AAG-${String(index + 1).padStart(7, "0")}`;
}

/** Builds order `index` from its own random stream, so any slice of the data can be generated alone. */
function demoOrder(seed: number, index: number): OrderRow {
  const r = rng(mixSeed(seed, index));
  const customerIndex = r.int(0, DEMO_CUSTOMERS.length - 1);
  const customer = DEMO_CUSTOMERS[customerIndex]!.name;
  const prefix = PREFIXES[customerIndex]!;
  const garment = r.pick(GARMENTS);
  const season = r.pick(DEMO_SEASONS);
  const baseQty = r.int(60, 1200);
  const sizes: Record<string, number | null> = {};
  let total = 0;
  for (const size of DEMO_SIZES) {
    let qty: number | null = null;
    if (garment.run.includes(size)) {
      qty = r.chance(0.08)
        ? 0
        : Math.max(1, Math.round(baseQty * SIZE_WEIGHT[size] * (0.7 + 0.6 * r.next())));
      total += qty;
    }
    sizes[`SIZE_${size}`] = qty;
  }
  // Most orders agree with their size breakdown; a few do not, which the quality checks should catch.
  const orderQty = r.chance(0.02) ? total + r.pick([-12, -6, 6, 12, 24]) : total;
  const year = 2000 + Number(season.slice(2));
  const deliveryStart = Date.UTC(year, season.startsWith("SS") ? 1 : 7, 1);
  const delivery = deliveryStart + r.int(0, 88) * DAY_MS;
  const exFactory = delivery - r.int(21, 50) * DAY_MS;
  const status = weighted(r, STATUS_WEIGHTS);
  const po = `PO-${prefix}-${r.int(10000, 99999)}`;
  const color = r.pick(COLORS);
  const lastModified = LAST_MODIFIED_BASE + r.int(0, 180 * 86_400) * 1000;
  const cancelled = r.chance(0.03);
  return {
    "AAG ORDER NUMBER": cancelled ? `${demoOrderKey(index)}-${CANCELLED_MARK}` : demoOrderKey(index),
    CUSTOMER: customer,
    "PO NUMBER": po,
    STYLE: `${prefix}-${garment.code} ${garment.name}`,
    COLOR: color,
    SEASON: season,
    "ORDER QTY": orderQty,
    "TOTAL QTY": total,
    ...sizes,
    "EX FACTORY DATE": isoDate(exFactory),
    "DELIVERY DATE": isoDate(delivery),
    "ORDER STATUS": status,
    "LAST MODIFIED": sqlTimestamp(lastModified),
  };
}

/** Options for {@link generateOrders}. */
export interface GenerateOptions {
  count: number;
  seed?: number;
  /** Index of the first order (0-based); order `i` is the same whatever slice it is generated in. */
  startIndex?: number;
}

/**
 * Deterministic, realistic apparel orders for the demo customers: same seed, same rows.
 * Keys are `AAG-0000001`… in index order; about 3% are cancelled the seed's way
 * (`AAG-0000123-CANCELLED`); sizes outside a style's run are NULL and `TOTAL QTY` is their sum.
 *
 * @example
 * for (const row of generateOrders({ count: 3 })) console.log(row["AAG ORDER NUMBER"], row.STYLE);
 */
export function* generateOrders({ count, seed = 42, startIndex = 0 }: GenerateOptions): Generator<OrderRow> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number, got ${count}`);
  if (!Number.isInteger(startIndex) || startIndex < 0 || startIndex + count > MAX_DEMO_ORDERS)
    throw new RangeError(`demo orders are numbered 1..${MAX_DEMO_ORDERS}; got ${startIndex}+${count}`);
  for (let i = startIndex; i < startIndex + count; i++) yield demoOrder(seed, i);
}
