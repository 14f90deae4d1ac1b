import { html } from "hono/html";
import type { RollbackSummary } from "../../rollback/index.js";
import { pager, table, type Html } from "./layout.js";
import { CSRF_FIELD } from "./csrf.js";

/** A one-button form posting an action with hidden fields and the CSRF token; the button names the order. */
export function actionForm(
  path: string,
  label: string,
  fields: Record<string, string>,
  csrf: string | undefined,
  name = `${label} ${fields.order ?? ""}`.trim(),
): Html {
  if (!csrf) return html``;
  return html`<form method="post" action="${path}" class="inline">
    ${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
    <input type="hidden" name="${CSRF_FIELD}" value="${csrf}" />
    <button type="submit" aria-label="${name}">${label}</button>
  </form>`;
}

/** The buttons of a row that needs a person: retry (FAILED, DEAD, QUARANTINED), discard (DEAD). */
export function attentionButtons(
  row: { customer: string; order_key: string; kind: string },
  csrf?: string,
): Html {
  const fields = { customer: row.customer, order: row.order_key };
  return html`${actionForm("/actions/retry", "Retry", fields, csrf)}
  ${row.kind === "DEAD" ? actionForm("/actions/discard", "Discard", fields, csrf) : ""}`;
}

/** One order held by a rollback. */
export interface HeldRow {
  customer: string;
  order_key: string;
  batch_id: string;
  rollback_batch_id: string;
  held_at: string;
}

/** The held orders' table on `/attention`, each with a release button. */
export function heldTable(
  rows: readonly HeldRow[],
  page: { offset: number; limit: number; total: number },
  csrf?: string,
): Html {
  return html`${table(
    "Held by a rollback (the sync leaves them alone until their source changes)",
    ["customer", "order", "rolled-back batch", "rollback", "held since", "action"],
    rows.map((r) => [
      r.customer,
      r.order_key,
      html`<a href="/runs/${encodeURIComponent(r.batch_id)}">${r.batch_id}</a>`,
      r.rollback_batch_id,
      r.held_at,
      actionForm("/actions/release", "Release", { customer: r.customer, order: r.order_key }, csrf),
    ]),
  )}
  ${pager("/attention", {}, page.offset, page.limit, page.total)}`;
}

/** The note at the top of `/attention` after an action (from the redirect's query: fixed texts, escaped values). */
export function actionNotice(q: Record<string, string | undefined>): Html {
  if (q.error) return html`<p role="alert" class="bad">${q.error}</p>`;
  if (!q.done) return html``;
  const run = q.run
    ? html` — sync run <a href="/runs/${encodeURIComponent(q.run)}">${q.run}</a> started for ${q.customer}`
    : "";
  return html`<p role="status" class="ok">
    ${q.done}: ${q.order} of ${q.customer} (${q.result ?? "done"})${run}
  </p>`;
}

const shown = (v: unknown) => JSON.stringify(v ?? null);

/** The rows of a rollback's list: one per column or size line it puts back, as `rollback --dry-run` prints them. */
export function undoRows(s: RollbackSummary): unknown[][] {
  return s.undo.flatMap((u) => {
    const head = [u.customer, u.orderKey, u.action, u.itemId ?? ""];
    const lines = [
      ...u.columns.map((c) => [...head, c.column, shown(c.from), shown(c.to)]),
      ...u.subitems.map((x) => [...head, `size ${x.size} ${x.action}`, shown(x.from), shown(x.to)]),
    ];
    return lines.length ? lines : [[...head, "", "", ""]];
  });
}

/** Which page of a rollback's lists to show: `offset` of its items, `conflictsOffset` of its conflicts. */
export interface RollbackPageRequest {
  limit: number;
  offset: number;
  conflictsOffset: number;
}

/**
 * `/runs/:batchId/rollback`: the dry run (what a rollback would do, nothing written) and the button. The
 * figures count the whole plan; its lists show one page (`limit` items, and as many conflicts) at a time.
 */
export function rollbackPage(
  s: RollbackSummary,
  csrf: string | undefined,
  p: RollbackPageRequest = { limit: 50, offset: 0, conflictsOffset: 0 },
): Html {
  const conflicts = s.conflicts.filter((c) => !c.forced);
  const path = `/runs/${encodeURIComponent(s.target)}/rollback`;
  const items = { ...s, undo: s.undo.slice(p.offset, p.offset + p.limit) };
  const shownConflicts = conflicts.slice(p.conflictsOffset, p.conflictsOffset + p.limit);
  return html`<p>
      ${s.dryRun ? "Dry run: nothing was written." : html`Rollback batch <a href="/runs/${encodeURIComponent(s.batchId ?? "")}">${s.batchId}</a> ran${s.run ? ` (${s.run.status})` : ""}.`}
      ${s.undo.length} items to put back, ${conflicts.length} conflicts kept, ${s.alreadyUndone} already as
      before the batch.
    </p>
    ${table("Changes the rollback makes", ["customer", "order", "action", "item", "column", "from", "to"], undoRows(items))}
    ${
      s.dryRun
        ? pager(path, { conflictsOffset: String(p.conflictsOffset) }, p.offset, p.limit, s.undo.length)
        : s.undo.length > p.limit && s.batchId
          ? html`<p>
              The first ${p.limit} of ${s.undo.length} are listed; the rollback's run
              <a href="/runs/${encodeURIComponent(s.batchId)}">${s.batchId}</a> lists every change, page by
              page.
            </p>`
          : ""
    }
    ${table(
      "Conflicts (left alone)",
      ["customer", "order", "column", "the batch wrote", "the board holds", "changed by"],
      shownConflicts.map((c) => [
        c.customer,
        c.orderKey,
        c.column,
        shown(c.batch),
        shown(c.board),
        c.changedBy,
      ]),
    )}
    ${
      s.dryRun
        ? pager(
            path,
            { offset: String(p.offset) },
            p.conflictsOffset,
            p.limit,
            conflicts.length,
            "conflictsOffset",
            "Pages of conflicts",
          )
        : ""
    }
    ${s.dryRun && s.undo.length ? actionForm(path, "Roll back", {}, csrf, `Roll back batch ${s.target}`) : ""}`;
}
