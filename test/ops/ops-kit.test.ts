/**
 * The ops kit in ops/ (Grafana dashboard, Prometheus alert rules, systemd unit, Dockerfile) checked against
 * the code: every PromQL expression parses with the official Prometheus grammar, names only metrics and
 * labels that order-sync exports (src/observe/metric-catalog.ts, prom-client's default metrics), and every
 * exported metric is watched by a panel or an alert.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parser } from "@prometheus-io/lezer-promql";
import { collectDefaultMetrics, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ensurePromtool } from "../helpers/promtool.js";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../../src/config/schema.js";
import { METRIC_CATALOG } from "../../src/observe/metric-catalog.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

/** The scrape job the alert rules select and the scrape config example names. */
const JOB = "order-sync";
/** Labels Prometheus attaches to every scraped series. */
const TARGET_LABELS = ["job", "instance"];

// ── PromQL: parse with the official grammar and pull out the selectors ────────────────────────────────

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

interface Matcher {
  label: string;
  op: string;
  value: string;
}
interface Selector {
  metric: string | undefined;
  matchers: Matcher[];
}
interface PromQL {
  errors: string[];
  selectors: Selector[];
  /** Labels named in `by (…)`, `without (…)`, `on (…)` and `ignoring (…)`. */
  groupingLabels: string[];
}

/** A PromQL string literal's value ("…", '…' or `…`). */
function unquote(literal: string): string {
  if (literal.startsWith("`")) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(literal) as string;
}

function analyse(expr: string): PromQL {
  const tree = parser.parse(expr);
  const text = (n: SyntaxNode): string => expr.slice(n.from, n.to);
  const out: PromQL = { errors: [], selectors: [], groupingLabels: [] };

  const selectorOf = (node: SyntaxNode): Selector => {
    const identifier = node.getChild("Identifier");
    const sel: Selector = { metric: identifier ? text(identifier) : undefined, matchers: [] };
    const matchers = node.getChild("LabelMatchers");
    for (let m = matchers?.firstChild ?? null; m; m = m.nextSibling) {
      if (m.name === "QuotedLabelName") {
        // {"metric_name", …}: the UTF-8 way of naming the metric.
        const lit = m.getChild("StringLiteral");
        if (lit) sel.metric = unquote(text(lit));
      } else if (m.name === "UnquotedLabelMatcher" || m.name === "QuotedLabelMatcher") {
        const nameNode = m.getChild("LabelName") ?? m.getChild("QuotedLabelName")?.getChild("StringLiteral");
        const op = m.getChild("MatchOp");
        const value = m.getChild("StringLiteral");
        if (!nameNode || !op || !value) continue; // an error node says why
        const label = nameNode.name === "StringLiteral" ? unquote(text(nameNode)) : text(nameNode);
        sel.matchers.push({ label, op: text(op), value: unquote(text(value)) });
      }
    }
    const byName = sel.matchers.find((x) => x.label === "__name__");
    if (byName && byName.op === "=") {
      sel.metric = byName.value;
      sel.matchers = sel.matchers.filter((x) => x !== byName);
    }
    return sel;
  };

  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        const from = Math.max(0, ref.from - 25);
        out.errors.push(
          `syntax error at ${ref.from}: …${expr.slice(from, ref.from)}⚠${expr.slice(ref.from, ref.to + 25)}…`,
        );
      }
      if (ref.name === "VectorSelector") out.selectors.push(selectorOf(ref.node));
      if (ref.name === "GroupingLabels")
        for (const l of ref.node.getChildren("LabelName")) out.groupingLabels.push(text(l));
    },
  });
  return out;
}

/** Grafana's interval variables are not PromQL; anything else with a `$` must sit inside a string literal. */
function substituteGrafanaVariables(expr: string): string {
  return expr.replace(
    /\$(?:__rate_interval|__interval|__range)\b|\$\{(?:__rate_interval|__interval|__range)\}/g,
    "5m",
  );
}

it("the PromQL checks below catch what they should", () => {
  expect(analyse('sum(rate(foo_total{a="1"}[5m])) by (a)').errors).toEqual([]);
  expect(analyse("sum(rate(foo_total[5m]) by (a)").errors).not.toEqual([]);
  expect(analyse("foo{bar=}").errors).not.toEqual([]);
  expect(analyse("rate(foo[$__rate_interval])").errors).not.toEqual([]);
  expect(analyse(substituteGrafanaVariables("rate(foo[$__rate_interval])")).errors).toEqual([]);
  const a = analyse(
    'histogram_quantile(0.9, sum by (le, x) (rate(h_bucket{x=~"a|b"}[5m]))) / on (job) {"up", job="j"}',
  );
  expect(a.selectors).toEqual([
    { metric: "h_bucket", matchers: [{ label: "x", op: "=~", value: "a|b" }] },
    { metric: "up", matchers: [{ label: "job", op: "=", value: "j" }] },
  ]);
  expect(a.groupingLabels).toEqual(["le", "x", "job"]);
});

// ── What order-sync exports ──────────────────────────────────────────────────────────────────────────────

interface Exported {
  /** The METRIC_CATALOG entry it comes from, if any. */
  catalog: keyof typeof METRIC_CATALOG | undefined;
  labels: readonly string[];
  /** Help text: values a label is matched against must be named in it (for catalog metrics). */
  help: string | undefined;
}

async function exportedMetrics(): Promise<Map<string, Exported>> {
  const out = new Map<string, Exported>();
  for (const [name, def] of Object.entries(METRIC_CATALOG) as [
    keyof typeof METRIC_CATALOG,
    (typeof METRIC_CATALOG)[keyof typeof METRIC_CATALOG],
  ][]) {
    const entry = { catalog: name, labels: def.labels, help: def.help };
    if (def.type === "histogram") {
      out.set(`${name}_bucket`, { ...entry, labels: [...def.labels, "le"] });
      out.set(`${name}_sum`, entry);
      out.set(`${name}_count`, entry);
    } else out.set(name, entry);
  }
  // prom-client's default process metrics, as the installed version really names them.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const m of await registry.getMetricsAsJSON()) {
    const labels = [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))];
    const entry = { catalog: undefined, labels, help: undefined };
    if (String(m.type) === "histogram") {
      out.set(`${m.name}_bucket`, { ...entry, labels: [...labels, "le"] });
      out.set(`${m.name}_sum`, entry);
      out.set(`${m.name}_count`, entry);
    } else out.set(m.name, entry);
  }
  registry.clear();
  out.set("up", { catalog: undefined, labels: [], help: undefined });
  return out;
}

const EXPORTED = await exportedMetrics();

/** Problems with one expression: syntax, unknown metrics, unknown labels, label values the metric never has. */
function promqlProblems(expr: string): string[] {
  const q = analyse(substituteGrafanaVariables(expr));
  const problems = [...q.errors];
  const allowedGrouping = new Set<string>();
  for (const sel of q.selectors) {
    if (sel.metric === undefined) {
      problems.push("a selector without a metric name");
      continue;
    }
    const m = EXPORTED.get(sel.metric);
    if (!m) {
      problems.push(`unknown metric ${sel.metric}`);
      continue;
    }
    const labels = new Set([...m.labels, ...TARGET_LABELS]);
    labels.forEach((l) => allowedGrouping.add(l));
    for (const { label, op, value } of sel.matchers) {
      if (!labels.has(label)) {
        problems.push(`${sel.metric} has no label ${label} (it has ${[...labels].join(", ")})`);
        continue;
      }
      // Values of enumerated labels (status, operation, table state…) must be ones the catalog names.
      if (!m.help || TARGET_LABELS.includes(label) || label === "customer" || value.includes("$")) continue;
      const alternatives = op === "=~" || op === "!~" ? value.split("|") : [value];
      for (const v of alternatives) {
        if (!/^\w+$/.test(v)) problems.push(`${sel.metric}{${label}${op}"${value}"}: use plain values`);
        else if (!new RegExp(`\\b${v}\\b`).test(m.help))
          problems.push(`${sel.metric}{${label}${op}"${value}"}: ${v} is not a value the catalog lists`);
      }
    }
  }
  for (const l of q.groupingLabels)
    if (!allowedGrouping.has(l)) problems.push(`grouping by ${l}, which no selected metric has`);
  return problems;
}

/** The catalog metrics an expression reads (histogram series map back to their catalog name). */
function catalogMetricsOf(expr: string): string[] {
  return analyse(substituteGrafanaVariables(expr))
    .selectors.map((s) => (s.metric === undefined ? undefined : EXPORTED.get(s.metric)?.catalog))
    .filter((c): c is keyof typeof METRIC_CATALOG => c !== undefined);
}

it("flags unknown metrics, labels and label values", () => {
  expect(promqlProblems('sum by (status) (rate(order_sync_runs_total{status="FAILED"}[5m]))')).toEqual([]);
  expect(promqlProblems("order_sync_run_duration_seconds")).toEqual([
    "unknown metric order_sync_run_duration_seconds",
  ]);
  expect(promqlProblems('order_sync_runs_total{state="FAILED"}')[0]).toMatch(/has no label state/);
  expect(promqlProblems('order_sync_runs_total{status="FAILD"}')[0]).toMatch(/FAILD is not a value/);
  expect(promqlProblems('staging_rows{status=~"PENDING|DED"}')[0]).toMatch(/DED is not a value/);
  expect(promqlProblems("sum by (customers) (staging_orders_processed_total)")).toEqual([
    "grouping by customers, which no selected metric has",
  ]);
  expect(promqlProblems('process_resident_memory_bytes{job="x"} + up')).toEqual([]);
  expect(
    promqlProblems("histogram_quantile(0.5, sum by (le) (rate(monday_api_request_seconds_bucket[5m])))"),
  ).toEqual([]);
});

// ── alerts.yml ───────────────────────────────────────────────────────────────────────────────────────────

interface Rule {
  alert?: unknown;
  record?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
const ALERTS_FILE = "ops/prometheus/alerts.yml";
const alertsDoc = parseYaml(read(ALERTS_FILE)) as { groups?: { name?: unknown; rules?: Rule[] }[] };
const rules: Rule[] = (alertsDoc.groups ?? []).flatMap((g) => g.rules ?? []);
const alertNames = rules.map((r) => String(r.alert));
const exprOf = (alert: string): string => String(rules.find((r) => r.alert === alert)?.expr ?? "");

/** Each alert the kit must have, and the catalog metrics its expression must read. */
const REQUIRED_ALERTS: Record<string, string[]> = {
  OrderSyncDown: [],
  OrderSyncFailing: ["order_sync_runs_total"],
  OrderSyncCustomerStale: ["order_sync_last_success_timestamp_seconds"],
  OrderSyncNoRuns: ["order_sync_runs_total"],
  OrderSyncBreakerOpen: ["monday_circuit_breaker_state"],
  OrderSyncOldPendingRows: ["staging_oldest_pending_age_seconds"],
  OrderSyncDeadRows: ["staging_rows"],
  OrderSyncBudgetExhausted: [
    "monday_complexity_budget_remaining",
    "monday_complexity_budget_limit",
    "monday_rate_limited_total",
  ],
  OrderSyncUnhealthy: ["order_sync_health_check"],
  OrderSyncWebhookInboxLagging: ["webhook_inbox_lag_seconds"],
};

describe("ops/prometheus/alerts.yml", () => {
  it("is a rule file of groups of complete alerting rules with unique names", () => {
    expect(alertsDoc.groups?.length).toBeGreaterThan(0);
    for (const g of alertsDoc.groups ?? []) {
      expect(typeof g.name).toBe("string");
      expect(g.rules?.length).toBeGreaterThan(0);
    }
    for (const r of rules) {
      const where = `rule ${String(r.alert ?? r.record)}`;
      expect(typeof r.alert, where).toBe("string");
      expect(typeof r.expr, where).toBe("string");
      expect(String(r.for), where).toMatch(/^\d+(ms|s|m|h|d|w|y)$/);
      expect(["critical", "warning", "info"], where).toContain(r.labels?.severity);
      for (const key of ["summary", "description", "runbook"])
        expect(String(r.annotations?.[key] ?? "").trim(), `${where} annotations.${key}`).not.toBe("");
    }
    expect(new Set(alertNames).size).toBe(alertNames.length);
  });

  it("has the alerts the service needs, each on the metrics it is about", () => {
    for (const [alert, metrics] of Object.entries(REQUIRED_ALERTS)) {
      expect(alertNames).toContain(alert);
      expect(catalogMetricsOf(exprOf(alert))).toEqual(expect.arrayContaining(metrics));
    }
    expect(exprOf("OrderSyncDown")).toMatch(/^up\{job="order-sync"\} == 0$/);
    expect(exprOf("OrderSyncCustomerStale")).toMatch(
      /time\(\) - .*order_sync_last_success_timestamp_seconds.* > 3600/,
    );
    expect(exprOf("OrderSyncBreakerOpen")).toMatch(/monday_circuit_breaker_state.*== 2/);
    expect(rules.find((r) => r.alert === "OrderSyncBreakerOpen")?.for).toBe("5m");
    expect(exprOf("OrderSyncOldPendingRows")).toMatch(/staging_oldest_pending_age_seconds.*> 86400/);
    expect(exprOf("OrderSyncDeadRows")).toMatch(/staging_rows\{[^}]*status="DEAD"[^}]*\}.*> 0/);
    expect(exprOf("OrderSyncBudgetExhausted")).toMatch(/< 0\.05/);
    expect(exprOf("OrderSyncBudgetExhausted")).toMatch(
      /increase\(monday_rate_limited_total\{[^}]*\}\[15m\]\)\)? > 0/,
    );
    expect(exprOf("OrderSyncUnhealthy")).toMatch(/order_sync_health_check.*== 0/);
    expect(rules.find((r) => r.alert === "OrderSyncUnhealthy")?.for).toBe("10m");
    // The alert fires at serve.webhooks.inboxMaxLagSeconds' default, when /health's webhook_inbox does.
    expect(exprOf("OrderSyncWebhookInboxLagging")).toMatch(
      new RegExp(
        `webhook_inbox_lag_seconds.*> ${configSchema.shape.serve.parse({}).webhooks.inboxMaxLagSeconds}$`,
      ),
    );
    expect(exprOf("OrderSyncFailing")).toMatch(/status=~"FAILED\|HALTED"/);
    expect(exprOf("OrderSyncFailing")).toMatch(/unless[\s\S]*status=~"SUCCESS\|PARTIAL"/);
  });

  it("every expression parses and names only exported metrics and their labels", () => {
    for (const r of rules) expect(promqlProblems(String(r.expr)), String(r.alert)).toEqual([]);
  });

  it(`every selector is scoped to job="${JOB}", the job the scrape config example names`, () => {
    for (const r of rules)
      for (const sel of analyse(String(r.expr)).selectors)
        expect(sel.matchers, `${String(r.alert)}: ${sel.metric}`).toContainEqual({
          label: "job",
          op: "=",
          value: JOB,
        });
    const scrape = parseYaml(read("ops/prometheus/scrape-config.example.yml")) as {
      scrape_configs?: { job_name?: string; metrics_path?: string }[];
    };
    expect(scrape.scrape_configs?.map((s) => s.job_name)).toEqual([JOB]);
    expect(scrape.scrape_configs?.[0]?.metrics_path).toBe("/metrics");
  });

  it("every alert has a runbook entry in ops/README.md", () => {
    const readme = read("ops/README.md");
    for (const r of rules) {
      expect(readme, String(r.alert)).toContain(`### ${String(r.alert)}`);
      expect(String(r.annotations?.runbook)).toContain(`ops/README.md#${String(r.alert).toLowerCase()}`);
    }
  });

  const promtool = ensurePromtool();
  it.runIf(promtool.available)("promtool accepts the rules and their unit tests pass", () => {
    if (!promtool.available) return;
    for (const args of [
      ["check", "rules", ALERTS_FILE],
      ["test", "rules", "ops/prometheus/alerts.test.yml"],
    ]) {
      const res = spawnSync(promtool.path, args, { cwd: ROOT, encoding: "utf8" });
      expect(res.status, `promtool ${args.join(" ")}\n${res.stdout}${res.stderr}`).toBe(0);
    }
  });
});

// ── Grafana dashboard ───────────────────────────────────────────────────────────────────────────────────

interface Target {
  expr?: unknown;
  refId?: unknown;
  datasource?: { type?: unknown; uid?: unknown };
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: unknown; uid?: unknown };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: {
    defaults?: { mappings?: { type?: string; options?: Record<string, { text?: string }> }[] };
  };
}
interface Variable {
  name?: unknown;
  type?: unknown;
  query?: unknown;
  definition?: unknown;
  datasource?: { uid?: unknown };
}
const dashboard = JSON.parse(read("ops/grafana/order-sync-dashboard.json")) as {
  schemaVersion?: number;
  uid?: unknown;
  title?: unknown;
  templating?: { list?: Variable[] };
  panels?: Panel[];
};
const allPanels: Panel[] = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
const dataPanels = allPanels.filter((p) => p.type !== "row");
const panelExprs: string[] = dataPanels.flatMap((p) => (p.targets ?? []).map((t) => String(t.expr)));
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

describe("ops/grafana/order-sync-dashboard.json", () => {
  it("is a current dashboard with datasource, job, instance and customer variables", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(typeof dashboard.uid).toBe("string");
    expect(typeof dashboard.title).toBe("string");
    const vars = new Map((dashboard.templating?.list ?? []).map((v) => [String(v.name), v]));
    expect(vars.get("datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    const customer = vars.get("customer");
    expect(customer?.type).toBe("query");
    expect(customer?.definition).toBe("label_values(staging_orders_processed_total, customer)");
    expect(["job", "instance"].every((v) => vars.has(v))).toBe(true);
    for (const v of vars.values()) {
      if (v.type !== "query") continue;
      expect(v.datasource?.uid, String(v.name)).toBe("${datasource}");
      const q = typeof v.query === "string" ? v.query : (v.query as { query?: string } | undefined)?.query;
      expect(q, String(v.name)).toBe(v.definition);
      // label_values(<selector>, <label>): the selector must be sound and the metric must have the label.
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(String(q));
      expect(m, String(q)).not.toBeNull();
      const [, selector = "", label = ""] = m ?? [];
      expect(promqlProblems(selector), String(q)).toEqual([]);
      const metric = analyse(selector).selectors[0]?.metric ?? "";
      expect([...(EXPORTED.get(metric)?.labels ?? []), ...TARGET_LABELS], String(q)).toContain(label);
    }
  });

  it("has unique panel ids, every panel on the Prometheus variable with at least one query", () => {
    const ids = allPanels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dataPanels.length).toBeGreaterThanOrEqual(14);
    for (const p of dataPanels) {
      const where = String(p.title);
      expect(["timeseries", "stat"], where).toContain(p.type);
      expect(p.datasource, where).toEqual(DATASOURCE);
      expect(p.targets?.length, where).toBeGreaterThan(0);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, where).toBe(refIds.length);
      for (const t of p.targets ?? []) {
        expect(t.datasource, where).toEqual(DATASOURCE);
        expect(typeof t.expr, where).toBe("string");
      }
    }
    for (const p of allPanels.filter((x) => x.type === "row")) expect(p.targets ?? []).toEqual([]);
  });

  it("lays the panels out on the 24-column grid without overlaps", () => {
    const boxes = allPanels.map((p) => ({ title: String(p.title), ...p.gridPos }));
    for (const b of boxes) {
      expect(
        [b.x, b.y, b.w, b.h].every((n) => Number.isInteger(n)),
        b.title,
      ).toBe(true);
      expect((b.x ?? 0) + (b.w ?? 0), b.title).toBeLessThanOrEqual(24);
    }
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x! < b.x! + b.w! && b.x! < a.x! + a.w! && a.y! < b.y! + b.h! && b.y! < a.y! + a.h!;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
  });

  it("every panel query parses and names only exported metrics and their labels", () => {
    for (const p of dataPanels)
      for (const t of p.targets ?? []) expect(promqlProblems(String(t.expr)), String(p.title)).toEqual([]);
  });

  it("shows run duration p50/p95 and per-step p95 from the histogram buckets", () => {
    const has = (re: RegExp) => panelExprs.some((e) => re.test(e));
    expect(has(/histogram_quantile\(0\.5, .*order_sync_run_duration_seconds_bucket/)).toBe(true);
    expect(has(/histogram_quantile\(0\.95, .*order_sync_run_duration_seconds_bucket/)).toBe(true);
    expect(
      has(/histogram_quantile\(0\.95, sum by \(le, operation\).*staging_processing_seconds_bucket/),
    ).toBe(true);
    expect(has(/staging_rows\{[^}]*status=~"PENDING\|FAILED\|DEAD"/)).toBe(true);
    expect(has(/order_sync_quarantined_orders\{/)).toBe(true);
  });

  it("maps the circuit breaker gauge to closed / half-open / open", () => {
    const breaker = dataPanels.find(
      (p) =>
        p.type === "stat" &&
        (p.targets ?? []).some((t) => /monday_circuit_breaker_state/.test(String(t.expr))),
    );
    const options = breaker?.fieldConfig?.defaults?.mappings?.find((m) => m.type === "value")?.options ?? {};
    expect(Object.fromEntries(Object.entries(options).map(([k, v]) => [k, v.text]))).toEqual({
      "0": "closed",
      "1": "half-open",
      "2": "open",
    });
  });
});

it("every metric order-sync exports is watched by a dashboard panel or an alert", () => {
  const watched = new Set([...panelExprs, ...rules.map((r) => String(r.expr))].flatMap(catalogMetricsOf));
  const unwatched = Object.keys(METRIC_CATALOG).filter((m) => !watched.has(m));
  expect(unwatched).toEqual([]);
});

// ── systemd ─────────────────────────────────────────────────────────────────────────────────────────────

function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    expect(line.endsWith("\\"), `no continuation lines: ${line}`).toBe(false);
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1] ?? "", current);
      continue;
    }
    const eq = line.indexOf("=");
    expect(eq > 0 && current !== undefined, `a key=value inside a section: ${line}`).toBe(true);
    current?.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return sections;
}

/** systemd time spans as TimeoutStopSec takes them: "150", "150s", "2min 30s". */
function seconds(span: string): number {
  const units: Record<string, number> = { "": 1, s: 1, sec: 1, m: 60, min: 60, h: 3600 };
  let total = 0;
  for (const part of span.trim().split(/\s+/)) {
    const m = /^(\d+)([a-z]*)$/.exec(part);
    const unit = m ? units[m[2] ?? ""] : undefined;
    if (!m || unit === undefined) throw new Error(`not a time span: ${span}`);
    total += Number(m[1]) * unit;
  }
  return total;
}

describe("ops/systemd", () => {
  const unit = parseUnit(read("ops/systemd/order-sync.service"));
  const service = new Map(unit.get("Service") ?? []);
  const all = (key: string) => (unit.get("Service") ?? []).filter(([k]) => k === key).map(([, v]) => v);

  it("is a hardened [Unit]/[Service]/[Install] unit running `order-sync serve`", () => {
    expect([...unit.keys()]).toEqual(["Unit", "Service", "Install"]);
    const exec = service.get("ExecStart") ?? "";
    expect(exec).toMatch(/^\/usr\/bin\/node \/opt\/order-sync\/bin\/order-sync\.js serve /);
    expect(exec).toContain("--config /etc/order-sync/order-sync.yaml");
    expect(existsSync(join(ROOT, "bin/order-sync.js"))).toBe(true);
    expect(service.get("User")).toBe("order-sync");
    expect(service.get("EnvironmentFile")).toBe("/etc/order-sync/order-sync.env");
    expect(service.get("Restart")).toBe("on-failure");
    expect(service.get("NoNewPrivileges")).toBe("yes");
    expect(service.get("ProtectSystem")).toBe("strict");
    expect(service.get("PrivateTmp")).toBe("yes");
    expect(all("ReadWritePaths")).toContain(service.get("WorkingDirectory"));
    expect(new Map(unit.get("Install") ?? []).get("WantedBy")).toBe("multi-user.target");
  });

  it("stops with SIGTERM and waits longer than serve.shutdownGraceSeconds before SIGKILL", () => {
    expect(service.get("KillSignal")).toBe("SIGTERM");
    const grace = configSchema.shape.serve.parse({}).shutdownGraceSeconds;
    expect(seconds(service.get("TimeoutStopSec") ?? "0")).toBeGreaterThan(grace);
  });

  it("the env example holds only the variables order-sync reads, with placeholders for secrets", () => {
    const lines = read("ops/systemd/order-sync.env.example")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    // Settings, active or commented out: `KEY=value` / `# KEY=value`.
    const settings = lines
      .map((l) => /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(([, key = "", value = ""]) => ({ key, value }));
    for (const l of lines) expect(l.startsWith("#") || /^[A-Z][A-Z0-9_]*=/.test(l), l).toBe(true);
    const known = ["MONDAY_API_TOKEN", "ORDER_SYNC_DB_URL", "MONDAY_API_URL", "ORDER_SYNC_API_TOKEN"];
    const active = lines.filter((l) => !l.startsWith("#")).map((l) => l.slice(0, l.indexOf("=")));
    expect(active).toEqual(expect.arrayContaining(["MONDAY_API_TOKEN", "ORDER_SYNC_DB_URL"]));
    const src = sourceText();
    for (const { key, value } of settings) {
      expect(known, key).toContain(key);
      expect(src, `${key} is read somewhere in src/`).toContain(key);
      if (key.endsWith("_TOKEN")) expect(value, key).toMatch(/^<[a-z0-9-]+>$/);
      // Passwords in URLs are placeholders too.
      const password = /^\w+:\/\/[^:/@]+:([^@]+)@/.exec(value)?.[1];
      if (password !== undefined) expect(password, key).toMatch(/^<[a-z0-9-]+>$/);
      const bare = value.replace(/<[a-z0-9-]+>/g, "");
      expect(bare, `${key} looks like a real secret`).not.toMatch(
        /eyJ[\w-]{10,}|[0-9a-f]{32,}|[\w+/=-]{40,}/i,
      );
    }
  });
});

function sourceText(): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
    });
  return walk(join(ROOT, "src"))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

// ── Docker ──────────────────────────────────────────────────────────────────────────────────────────────

interface Instruction {
  op: string;
  args: string;
}
function parseDockerfile(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const argDefaults = new Map<string, string>();
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, op = "", args = ""] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const ins = { op: op.toUpperCase(), args: args.replace(/\s+/g, " ") };
    if (ins.op === "ARG" && stages.length === 0) {
      const [k = "", v = ""] = ins.args.split("=");
      argDefaults.set(k, v);
    }
    if (ins.op === "FROM") {
      ins.args = ins.args.replace(/\$\{(\w+)\}/g, (_, k: string) => argDefaults.get(k) ?? "");
      stages.push([]);
    }
    stages.at(-1)?.push(ins);
  }
  return stages;
}

/** A .dockerignore pattern as a regex over context-relative paths (and everything under a matched folder). */
function ignoreRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .map((seg) =>
      seg === "**"
        ? "(?:.*/)?"
        : `${seg
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]")}/`,
    )
    .join("");
  return new RegExp(`^${body.replace(/\/$/, "")}(?:/.*)?$`);
}

describe("ops/docker", () => {
  const stages = parseDockerfile(read("ops/docker/Dockerfile"));
  const runtime = stages.at(-1) ?? [];
  const the = (op: string) => runtime.filter((i) => i.op === op).map((i) => i.args);
  const execForm = (op: string): string[] => JSON.parse(the(op).at(-1) ?? "null") as string[];

  it("builds in a node:20-bookworm-slim stage with a compiler, then prunes dev dependencies", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]?.args).toMatch(/^node:20-bookworm-slim\b/);
    const build = stages[0] ?? [];
    expect(build[0]?.args).toMatch(/ AS build$/);
    const runs = build.filter((i) => i.op === "RUN").map((i) => i.args);
    expect(runs.join("\n")).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(runs.join("\n")).toMatch(/npm ci\b/);
    expect(runs.join("\n")).toMatch(/npm prune --omit=dev/);
    expect(
      runtime
        .filter((i) => i.op === "RUN")
        .map((i) => i.args)
        .join("\n"),
    ).not.toMatch(/g\+\+|npm ci/);
  });

  it("copies from the build context only files that exist and are not ignored", () => {
    const ignore = read("ops/docker/Dockerfile.dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    const ignored = (path: string) => {
      let out = false;
      for (const p of ignore)
        if (p.startsWith("!")) out = ignoreRegex(p.slice(1)).test(path) ? false : out;
        else if (ignoreRegex(p).test(path)) out = true;
      return out;
    };
    expect(ignored("node_modules/x")).toBe(true);
    expect(ignored("src/a.db")).toBe(true);
    const sources = stages
      .flat()
      .filter((i) => i.op === "COPY" && !i.args.includes("--from="))
      .flatMap((i) => i.args.replace(/--\S+/g, "").trim().split(" ").slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(["package.json", "package-lock.json", "src", "bin"]));
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), s).toBe(true);
      expect(ignored(s), `${s} is excluded by Dockerfile.dockerignore`).toBe(false);
    }
    // What `npm run build` reads must be in the image too.
    const build =
      (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.build ?? "";
    for (const file of build.match(/[\w./-]+\.(?:json|mjs)/g) ?? [])
      expect(
        sources.some((s) => file === s || file.startsWith(`${s}/`)),
        file,
      ).toBe(true);
    const stageNames = stages.map((s) => /\bAS (\w+)$/.exec(s[0]?.args ?? "")?.[1]);
    for (const i of stages.flat().filter((x) => x.op === "COPY" && x.args.includes("--from=")))
      expect(stageNames).toContain(/--from=(\w+)/.exec(i.args)?.[1]);
  });

  it("runs `node bin/order-sync.js serve` as a non-root user, with a health check and SIGTERM", () => {
    const user = the("USER").at(-1) ?? "";
    expect(user).not.toBe("");
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(the("STOPSIGNAL")).toEqual(["SIGTERM"]);
    expect(the("EXPOSE")).toEqual(["8080"]);
    expect(execForm("ENTRYPOINT")).toEqual(["node", "bin/order-sync.js"]);
    const pkg = JSON.parse(read("package.json")) as { bin: Record<string, string> };
    expect(pkg.bin["order-sync"]).toBe("bin/order-sync.js");
    expect(execForm("CMD")).toEqual([
      "serve",
      "--config",
      "/etc/order-sync/order-sync.yaml",
      "--host",
      "0.0.0.0",
    ]);
    expect(the("HEALTHCHECK").at(-1)).toMatch(/CMD \["node", "-e", .*\/health\/live/);
    expect(the("HEALTHCHECK").join("")).not.toMatch(/curl|wget/);
  });

  it("the HEALTHCHECK command passes on a live server and fails otherwise", async () => {
    const spec = the("HEALTHCHECK").at(-1) ?? "";
    const cmd = JSON.parse(spec.slice(spec.indexOf("CMD ") + 4)) as string[];
    expect(cmd[0]).toBe("node");
    const probe = (port: number) =>
      new Promise<number | null>((done) => {
        const args = cmd.slice(1).map((a) => a.replace(":8080/", `:${port}/`));
        const child = spawn(process.execPath, args, { stdio: "ignore" });
        child.on("exit", (code) => done(code));
      });
    const serve = (status: number) =>
      new Promise<Server>((done) => {
        const server = createServer((req, res) => {
          res.statusCode = req.url === "/health/live" ? status : 404;
          res.end("{}");
        });
        server.listen(0, "127.0.0.1", () => done(server));
      });
    const port = (s: Server) => (s.address() as AddressInfo).port;
    const close = (s: Server) => new Promise((done) => s.close(done));

    const up = await serve(200);
    const upPort = port(up);
    expect(await probe(upPort)).toBe(0);
    await close(up);
    expect(await probe(upPort)).toBe(1); // nothing listening
    const sick = await serve(503);
    expect(await probe(port(sick))).toBe(1);
    await close(sick);
  });

  it("the compose example gives SIGTERM longer than serve.shutdownGraceSeconds", () => {
    const compose = parseYaml(read("ops/docker/compose.example.yaml")) as {
      services: Record<
        string,
        { build?: { dockerfile?: string }; stop_grace_period?: string; stop_signal?: string }
      >;
    };
    const svc = compose.services["order-sync"];
    expect(svc?.build?.dockerfile).toBe("ops/docker/Dockerfile");
    expect(svc?.stop_signal).toBe("SIGTERM");
    const grace = configSchema.shape.serve.parse({}).shutdownGraceSeconds;
    expect(seconds(svc?.stop_grace_period ?? "0")).toBeGreaterThan(grace);
  });
});

// ── README ──────────────────────────────────────────────────────────────────────────────────────────────

it("ops/README.md describes every file of the kit and every environment variable", () => {
  const readme = read("ops/README.md");
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [relative(join(ROOT, "ops"), path)];
    });
  for (const file of walk(join(ROOT, "ops")).filter((f) => f !== "README.md"))
    expect(readme, file).toContain(file);
  for (const v of ["MONDAY_API_TOKEN", "ORDER_SYNC_DB_URL", "MONDAY_API_URL", "ORDER_SYNC_API_TOKEN"])
    expect(readme, v).toContain(v);
});
