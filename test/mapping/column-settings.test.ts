// The client reads column settings in every shape monday has documented (API-FACTS "Column.settings_str").
import { describe, expect, it } from "vitest";
import { columnLabels, readColumnLabels, resolveBoard, type LiveBoard } from "../../src/mapping/index.js";
import { testConfig } from "../helpers/sync-env.js";

/** The changelog's own 2025-10 example: "Done" (id 1) is displayed last, "Stuck" (id 2) second. */
const SETTINGS_2025_10 = {
  labels: [
    { id: 0, color: 0, label: "Working on it", index: 0, is_done: false, is_deactivated: false },
    { id: 1, color: 1, label: "Done", index: 2, is_done: true, is_deactivated: false },
    { id: 2, color: 2, label: "Stuck", index: 1, is_done: false, is_deactivated: false },
  ],
};
const LEGACY = { labels: { "0": "Working on it", "1": "Done", "2": "Stuck" }, done_colors: [1] };

describe("readColumnLabels", () => {
  it("reads the 2025-10 status shape, keeping value id and display index apart", () => {
    expect(readColumnLabels(SETTINGS_2025_10)).toEqual([
      { label: "Working on it", id: 0, index: 0, deactivated: false },
      { label: "Stuck", id: 2, index: 1, deactivated: false },
      { label: "Done", id: 1, index: 2, deactivated: false },
    ]);
  });

  it("reads the legacy settings_str shape as an object and as a JSON string", () => {
    const expected = [
      { label: "Working on it", id: 0, index: 0, deactivated: false },
      { label: "Done", id: 1, index: 1, deactivated: false },
      { label: "Stuck", id: 2, index: 2, deactivated: false },
    ];
    expect(readColumnLabels(LEGACY)).toEqual(expected);
    expect(readColumnLabels(JSON.stringify(LEGACY))).toEqual(expected);
  });

  it("takes display positions from the legacy labels_positions_v2", () => {
    const labels = readColumnLabels({ ...LEGACY, labels_positions_v2: { "0": 0, "1": 2, "2": 1 } });
    expect(labels.map((l) => [l.label, l.id, l.index])).toEqual([
      ["Working on it", 0, 0],
      ["Stuck", 2, 1],
      ["Done", 1, 2],
    ]);
  });

  it("reads every documented dropdown variant: {id, name}, {id, label}, string ids, a JSON string", () => {
    const expected = [
      { label: "Red", id: 1, index: 0, deactivated: false },
      { label: "Blue", id: 3, index: 1, deactivated: false },
    ];
    expect(
      readColumnLabels({
        labels: [
          { id: 1, name: "Red" },
          { id: 3, name: "Blue" },
        ],
      }),
    ).toEqual(expected);
    expect(
      readColumnLabels({
        labels: [
          { id: "1", label: "Red" },
          { id: "3", label: "Blue" },
        ],
      }),
    ).toEqual(expected);
    expect(
      readColumnLabels(
        JSON.stringify({
          labels: [
            { id: 1, name: "Red" },
            { id: 3, name: "Blue" },
          ],
        }),
      ),
    ).toEqual(expected);
  });

  it("keeps deactivated labels in the typed result, and leaves them out of the writable texts", () => {
    const settings = {
      labels: [
        { id: 0, label: "Open", index: 0, is_deactivated: false },
        { id: 1, label: "Retired", index: 1, is_deactivated: true },
      ],
    };
    expect(readColumnLabels(settings)[1]).toEqual({ label: "Retired", id: 1, index: 1, deactivated: true });
    expect(columnLabels(settings)).toEqual(["Open"]);
  });

  it("finds nothing in settings without labels, malformed JSON or entries it cannot read", () => {
    expect(readColumnLabels({})).toEqual([]);
    expect(readColumnLabels({ hide_footer: false })).toEqual([]);
    expect(readColumnLabels("{not json")).toEqual([]);
    expect(readColumnLabels(null)).toEqual([]);
    expect(readColumnLabels({ labels: [{ name: "no id" }, { id: 2, label: "" }, 7] })).toEqual([]);
  });
});

describe("resolveBoard on a board serving the 2025-10 shape", () => {
  const config = testConfig();
  // The subitems board is not what these tests are about.
  const { subitems: _subitems, ...board } = config.boards[0]!;
  const statusRef = board.columns.find((c) => c.type === "status")!;
  const live = (statusSettings: unknown): LiveBoard => ({
    id: board.id,
    name: board.name,
    columns: [board.keyColumn, ...board.columns].map((c) => ({
      id: c.id ?? c.title ?? "",
      title: c.title ?? c.id ?? "",
      type: c.type,
      settings: c === statusRef ? statusSettings : {},
    })),
    groups: [],
  });
  const shape = (labels: readonly string[], order: (i: number) => number) => ({
    labels: labels.map((label, i) => ({
      id: i,
      color: i,
      label,
      index: order(i),
      is_done: false,
      is_deactivated: false,
    })),
  });

  it("accepts the mapped status column and keeps its labels' ids and display order", () => {
    const labels = statusRef.labels!;
    const reversed = shape(labels, (i) => labels.length - 1 - i);
    const resolved = resolveBoard(board, 0, live(reversed), undefined);
    const status = resolved.columns.find((c) => c.id === statusRef.id)!;
    expect(status.labels).toEqual([...labels].reverse());
    expect(status.labelSet.map((l) => l.id)).toEqual(labels.map((_, i) => labels.length - 1 - i));
  });

  it("reports a label the config relies on that is deactivated", () => {
    const labels = statusRef.labels!;
    const settings = shape(labels, (i) => i);
    settings.labels[1]!.is_deactivated = true;
    expect(() =>
      resolveBoard({ ...board, createLabelsIfMissing: false }, 0, live(settings), undefined),
    ).toThrow(new RegExp(`no longer has the label "${labels[1]}"`));
  });
});
