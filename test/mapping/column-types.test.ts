import { describe, expect, it } from "vitest";
import { ConfigError, type ColumnType } from "../../src/config/index.js";
import {
  canonicalValue,
  mappedCanonical,
  mappingSourceColumns,
  mondayWriteValue,
  transformedValue,
  ValueError,
} from "../../src/mapping/index.js";
import { testConfig } from "../helpers/sync-env.js";

/** Canonical form, then monday's write JSON. */
const write = (type: ColumnType, raw: unknown, options = {}) =>
  mondayWriteValue(type, canonicalValue(type, raw, options));

describe("mappers of the column types", () => {
  it.each<[ColumnType, unknown, string | null, unknown]>([
    ["email", "a@b.com", "a@b.com", { email: "a@b.com", text: "a@b.com" }],
    [
      "email",
      ' "Jane Doe" <jane@x.org> ',
      "Jane Doe <jane@x.org>",
      { email: "jane@x.org", text: "Jane Doe" },
    ],
    ["phone", "+1 555-123-4567 us", "+15551234567 US", { phone: "+15551234567", countryShortName: "US" }],
    ["link", "https://x.io/a", "https://x.io/a", { url: "https://x.io/a", text: "https://x.io/a" }],
    ["link", "Docs | https://x.io/a", "Docs|https://x.io/a", { url: "https://x.io/a", text: "Docs" }],
    [
      "people",
      "7, 9,7",
      "7,9",
      {
        personsAndTeams: [
          { id: 7, kind: "person" },
          { id: 9, kind: "person" },
        ],
      },
    ],
    ["people", 12, "12", { personsAndTeams: [{ id: 12, kind: "person" }] }],
    ["timeline", "2026-01-01/2026-02-01", "2026-01-01/2026-02-01", { from: "2026-01-01", to: "2026-02-01" }],
    ["hour", "16:42", "16:42", { hour: 16, minute: 42 }],
    ["hour", "7:05:00", "07:05", { hour: 7, minute: 5 }],
    ["country", "us", "US", { countryCode: "US", countryName: "United States" }],
    ["rating", 5, "5", { rating: 5 }],
    ["rating", "3", "3", { rating: 3 }],
  ])("%s %j → %j → %j", (type, raw, canonical, json) => {
    expect(canonicalValue(type, raw)).toBe(canonical);
    expect(write(type, raw)).toEqual(json);
  });

  it.each<ColumnType>(["email", "phone", "link", "people", "timeline", "hour", "country", "rating"])(
    "%s: NULL, empty and blank are empty",
    (type) => {
      for (const raw of [null, undefined, "", "  "]) expect(canonicalValue(type, raw)).toBeNull();
    },
  );

  it("numbers never round an integer beyond 2^53 (issue 12): such a value is refused, not changed", () => {
    for (const raw of [
      "9007199254740993",
      9007199254740993n,
      "-9223372036854775807",
      " 12345678901234567890 ",
    ])
      expect(() => canonicalValue("numbers", raw), String(raw)).toThrow(ValueError);
    expect(() => canonicalValue("numbers", "9007199254740993")).toThrow(
      /9007199254740993 is beyond 2\^53: monday's numbers column would round it/,
    );
    expect(canonicalValue("numbers", "9007199254740991")).toBe("9007199254740991");
    expect(canonicalValue("numbers", -9007199254740991n)).toBe("-9007199254740991");
    expect(canonicalValue("numbers", 1e21)).toBe("1e+21");
  });

  it("phone takes the column's default country when the number names none", () => {
    expect(canonicalValue("phone", "(555) 123 4567", { defaultCountry: "US" })).toBe("5551234567 US");
    expect(canonicalValue("phone", "+44 20 7946 0958 GB", { defaultCountry: "US" })).toBe("+442079460958 GB");
  });

  it.each<[ColumnType, unknown, RegExp]>([
    ["email", "not an email", /expected an email address/],
    ["email", "Jane <jane@>", /expected an email address/],
    ["phone", "+1 555 123 4567", /names no country.*defaultCountry/],
    ["phone", "call me", /expected a phone number/],
    ["phone", "12", /expected a phone number/],
    ["phone", "+15551234567 QQ", /"QQ" is not an ISO country code/],
    ["link", "example.com", /expected a link/],
    ["link", "text|not a url", /expected a link/],
    ["people", "12, bob", /"bob" is not an id/],
    ["people", "-3", /"-3" is not an id/],
    ["timeline", "2026-01-01", /expected a timeline "from\/to"/],
    ["timeline", "2026-02-30/2026-03-01", /not a real calendar date/],
    ["timeline", "2026-03-01/2026-02-01", /ends before it starts/],
    ["timeline", "2026-01-01T10:00:00/2026-02-01", /two dates without time/],
    ["hour", "24:00", /expected an hour like 16:42/],
    ["hour", "4pm", /expected an hour like 16:42/],
    ["hour", "10:30:15", /expected an hour like 16:42/],
    ["country", "USA", /two-letter ISO country code/],
    ["country", "ZZ", /two-letter ISO country code/],
    ["rating", 0, /rating from 1 to 5/],
    ["rating", "4.5", /rating from 1 to 5/],
    ["rating", 6, /rating from 1 to 5/],
    ["rating", true, /rating from 1 to 5/],
  ])("%s rejects %j with a clear ValueError", (type, raw, message) => {
    let error: unknown;
    try {
      canonicalValue(type, raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).message).toMatch(message);
  });

  it("an unsupported type is a ValueError naming the supported ones", () => {
    expect(() => canonicalValue("mirror" as ColumnType, "x")).toThrow(
      /unsupported column type "mirror": order-sync writes text, .*rating/,
    );
  });
});

describe("mapping config", () => {
  const withColumn = (column: Record<string, unknown>) =>
    testConfig((raw) => {
      (raw.boards as { columns: unknown[] }[])[0]!.columns.push(column);
    });
  const issues = (column: Record<string, unknown>): string => {
    try {
      withColumn(column);
    } catch (e) {
      return e instanceof ConfigError ? e.message : String(e);
    }
    return "";
  };

  it("rejects an unknown column type, listing the supported ones", () => {
    const message = issues({ source: "X", id: "x", type: "mirror" });
    expect(message).toMatch(/unsupported column type "mirror"/);
    expect(message).toMatch(/text, long_text, numbers, date, status, dropdown, checkbox, email, phone/);
  });

  it("accepts the transforms and phone's default country", () => {
    const config = withColumn({
      source: "A",
      id: "x",
      type: "phone",
      defaultCountry: "us",
      transform: { join: { columns: ["B"] }, map: { "0": "" }, default: "n/a" },
    });
    const entry = config.boards[0]!.columns.at(-1)!;
    expect(entry.defaultCountry).toBe("US");
    expect(entry.transform?.join).toEqual({ columns: ["B"], separator: " " });
  });

  it("rejects unknown transform keys, dateFormat off a date column and defaultCountry off a phone column", () => {
    expect(issues({ source: "A", id: "x", type: "text", transform: { upper: true } })).toMatch(/upper/);
    expect(issues({ source: "A", id: "x", type: "text", transform: { dateFormat: "date" } })).toMatch(
      /dateFormat applies to date columns only/,
    );
    expect(issues({ source: "A", id: "x", type: "text", defaultCountry: "US" })).toMatch(
      /defaultCountry applies to phone columns only/,
    );
    expect(issues({ source: "A", id: "x", type: "date", transform: { dateFormat: "iso" } })).not.toBe("");
  });
});

describe("transforms", () => {
  const row = {
    A: "2026-01-01",
    B: "2026-02-01",
    C: null,
    CODE: "S",
    N: 7,
    D: new Date("2026-03-04T00:00:00Z"),
  };

  it("mappingSourceColumns lists source and the joined columns, once each", () => {
    expect(mappingSourceColumns({ source: "A" })).toEqual(["A"]);
    expect(
      mappingSourceColumns({
        source: "A",
        transform: { join: { columns: ["B", "A", "C"], separator: "/" } },
      }),
    ).toEqual(["A", "B", "C"]);
  });

  it("join joins source and the columns, skipping empty ones; all empty is NULL", () => {
    const join = (columns: string[], separator = " ") => ({ join: { columns, separator } });
    expect(transformedValue({ source: "A", transform: join(["B"], "/") }, row)).toBe("2026-01-01/2026-02-01");
    expect(transformedValue({ source: "CODE", transform: join(["C", "N"]) }, row)).toBe("S 7");
    expect(transformedValue({ source: "D", transform: join(["B"], "/") }, row)).toBe("2026-03-04/2026-02-01");
    expect(transformedValue({ source: "C", transform: join(["C"]) }, row)).toBeNull();
  });

  it("map replaces known codes, leaves others; default fills NULL and empty", () => {
    const spec = { source: "CODE", transform: { map: { S: "Shipped" }, default: "Open" } };
    expect(transformedValue(spec, row)).toBe("Shipped");
    expect(transformedValue(spec, { CODE: "X" })).toBe("X");
    expect(transformedValue(spec, { CODE: null })).toBe("Open");
    expect(transformedValue(spec, { CODE: " " })).toBe("Open");
    expect(transformedValue({ source: "N", transform: { map: { "7": "seven" } } }, row)).toBe("seven");
  });

  it("dateFormat drops or keeps the time", () => {
    const date = (raw: string, dateFormat: "date" | "datetime") =>
      mappedCanonical({ source: "V", type: "date", transform: { dateFormat } }, { V: raw });
    expect(date("2026-06-15 18:45:00", "date")).toBe("2026-06-15");
    expect(date("2026-06-15", "datetime")).toBe("2026-06-15T00:00:00");
    expect(date("2026-06-15 18:45", "datetime")).toBe("2026-06-15T18:45:00");
  });

  it("mappedCanonical maps the transformed value by type and throws ValueError for bad ones", () => {
    const timeline = {
      source: "A",
      type: "timeline" as const,
      transform: { join: { columns: ["B"], separator: "/" } },
    };
    expect(mappedCanonical(timeline, row)).toBe("2026-01-01/2026-02-01");
    expect(() => mappedCanonical(timeline, { A: "2026-01-01", B: null })).toThrow(ValueError);
    expect(() =>
      mappedCanonical({ source: "CODE", type: "rating", transform: { map: { S: "9" } } }, row),
    ).toThrow(/rating from 1 to 5/);
    expect(mappedCanonical({ source: "P", type: "phone", defaultCountry: "CA" }, { P: "416 555 0100" })).toBe(
      "4165550100 CA",
    );
  });
});
