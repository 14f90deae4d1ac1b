import { Cron } from "croner";
import { z } from "zod";
import { hasUserInfo, urlSecrets } from "./secrets.js";
import { DB_DIALECTS } from "./db-url.js";
import { qualityConfigSchema } from "./quality.js";

/** Column types order-sync knows how to write (monday `ColumnType` names). */
export const COLUMN_TYPES = [
  "text",
  "long_text",
  "numbers",
  "date",
  "status",
  "dropdown",
  "checkbox",
  "email",
  "phone",
  "link",
  "people",
  "timeline",
  "hour",
  "country",
  "rating",
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A column type order-sync writes; anything else is rejected naming the supported types. */
const columnType = z.enum(COLUMN_TYPES, {
  error: (issue) =>
    `unsupported column type ${JSON.stringify(issue.input)}: order-sync writes ${COLUMN_TYPES.join(", ")}`,
});

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");
/** monday ids are numbers in JSON but `ID` strings in GraphQL; accept both in YAML, keep strings. */
const boardId = z
  .union([z.string().regex(/^\d+$/, "must be a numeric monday board id"), z.number().int().positive()])
  .transform((v) => String(v));
const columnId = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,99}$/, "must be a monday column id: lower-case letters, digits and _");

/** A board column referenced by id, by title, or both; `type` says how values are written. */
export const boardColumnSchema = z
  .object({
    id: columnId.optional(),
    title: nonEmpty.optional(),
    type: columnType,
    /** status / dropdown labels the column starts with (the emulator creates them; validation knows them). */
    labels: z.array(nonEmpty).max(40, "monday allows at most 40 status labels").optional(),
  })
  .strict()
  .refine((c) => c.id !== undefined || c.title !== undefined, {
    message: "give the board column's id, its title, or both",
  });
export type BoardColumnRef = z.infer<typeof boardColumnSchema>;

/** An ISO 3166-1 alpha-2 country code, e.g. `US`. */
const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, "must be a two-letter ISO country code such as US")
  .transform((c) => c.toUpperCase());

/**
 * How a source value is prepared before it is mapped by column type (applied in this order):
 * - `join`: the values of `source` and then `columns`, empty ones skipped, joined with `separator`
 *   (default " "); e.g. a timeline from two date columns with `separator: "/"`.
 * - `map`: a source code → the value to write (e.g. `"S": "Shipped"` for a status); other values pass.
 * - `default`: written when the value is NULL or empty.
 * - `dateFormat` (date columns): `date` drops the time, `datetime` keeps it even at midnight.
 */
export const transformSchema = z
  .object({
    join: z
      .object({
        columns: z.array(nonEmpty).min(1, "list the source columns joined after `source`"),
        separator: z.string().default(" "),
      })
      .strict()
      .optional(),
    map: z.record(z.string(), z.string()).optional(),
    default: z.union([z.string(), z.number()]).optional(),
    dateFormat: z.enum(["date", "datetime"]).optional(),
  })
  .strict();
export type ColumnTransform = z.infer<typeof transformSchema>;

/** Who owns a mapped column's value (issue 14). */
export const COLUMN_DIRECTIONS = ["to-board", "from-board", "both"] as const;
export type ColumnDirection = (typeof COLUMN_DIRECTIONS)[number];
/** How a board edit of a `both` column is settled: `newest` compares monday's `changedAt` with the database's change. */
export const CONFLICT_POLICIES = ["db-wins", "board-wins", "newest"] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

const mappingEntry = z
  .object({
    source: nonEmpty,
    id: columnId.optional(),
    title: nonEmpty.optional(),
    type: columnType,
    labels: z.array(nonEmpty).max(40, "monday allows at most 40 status labels").optional(),
    /** phone columns: the country of numbers that do not name one (e.g. `US`). */
    defaultCountry: countryCode.optional(),
    transform: transformSchema.optional(),
    /**
     * Who owns the column (issue 14): `to-board` (the database; when not given), `from-board` (the board: the
     * sync never writes it, webhooks bring its edits back) or `both` (with a `conflict` policy).
     */
    direction: z.enum(COLUMN_DIRECTIONS).optional(),
    /** For `both` columns: which side wins when the board edits a value (default `db-wins`). */
    conflict: z.enum(CONFLICT_POLICIES).optional(),
  })
  .strict()
  .refine((c) => c.id !== undefined || c.title !== undefined, {
    message: "give the board column's id, its title, or both",
  })
  .refine((c) => c.conflict === undefined || c.direction === "both", {
    message: "conflict applies to direction: both only",
    path: ["conflict"],
  })
  .refine((c) => c.defaultCountry === undefined || c.type === "phone", {
    message: "defaultCountry applies to phone columns only",
    path: ["defaultCountry"],
  })
  .refine((c) => c.transform?.dateFormat === undefined || c.type === "date", {
    message: "transform.dateFormat applies to date columns only",
    path: ["transform", "dateFormat"],
  });
export type ColumnMapping = z.infer<typeof mappingEntry>;

const sizeEntry = z
  .object({
    /** The subitem's name, e.g. `M`. */
    size: nonEmpty,
    /** The source column holding that size's quantity, e.g. `SIZE_M`. */
    source: nonEmpty,
  })
  .strict();

const subitemsSchema = z
  .object({
    /** The id of the board's subitems board (monday keeps subitems on a board of their own). */
    boardId,
    /** Subitem name template; `{size}` is the size, `{COLUMN}` any source column. */
    name: nonEmpty.default("{size}"),
    /** The numbers column on the subitems board that holds the size's quantity. */
    quantityColumn: boardColumnSchema,
    /** One subitem per size whose quantity is not NULL (and not 0, unless `zeroQuantity: create`). */
    sizes: z.array(sizeEntry).min(1, "list at least one size"),
    /**
     * A size line with quantity 0: `skip` (default) makes no subitem for it, and archives the subitem of a
     * size that drops to 0 (it comes back when the quantity rises again); `create` keeps a subitem showing 0.
     * Each subitem costs a `create_subitem` of about 10,000 complexity points (issue 16).
     */
    zeroQuantity: z.enum(["skip", "create"]).default("skip"),
    /** More subitem-board columns, mapped like the board's: each size line gets the order's value. */
    columns: z.array(mappingEntry).default([]),
  })
  .strict();

/** A board-only column whose edits come back through webhooks (the source table has no column for it). */
const trackedSchema = z
  .object({
    id: columnId.optional(),
    title: nonEmpty.optional(),
    type: columnType,
    labels: z.array(nonEmpty).max(40, "monday allows at most 40 status labels").optional(),
    /** The write-back table's column its edits go to (or list it under `writeBack.columns`). */
    target: nonEmpty.optional(),
  })
  .strict()
  .refine((c) => c.id !== undefined || c.title !== undefined, {
    message: "give the board column's id, its title, or both",
  });
export type TrackedColumn = z.infer<typeof trackedSchema>;

/**
 * Where accepted board edits are written (issue 14), in the same transaction that records them:
 * `UPDATE table SET <target> = value WHERE keyColumn = <order key>` (a row is inserted when none exists,
 * except in the source table, whose orders are never created here).
 */
const writeBackSchema = z
  .object({
    table: nonEmpty,
    keyColumn: nonEmpty,
    /** Board column id → the table's column. Mapped `from-board`/`both` columns default to their `source`. */
    columns: z.record(columnId, nonEmpty).default({}),
  })
  .strict();
export type WriteBackConfig = z.infer<typeof writeBackSchema>;

/** What happens when a planner deletes or archives a synced item on the board (issue 14). */
export const REMOVED_ITEM_POLICIES = ["report", "recreate", "forget"] as const;

const boardSchema = z
  .object({
    id: boardId,
    name: nonEmpty,
    /** The text column that holds the order number: items are matched on it, never on their name. */
    keyColumn: boardColumnSchema,
    /** Item name template, e.g. `{AAG ORDER NUMBER}`; monday allows 1–255 characters. */
    itemName: nonEmpty.default("{AAG ORDER NUMBER}"),
    columns: z.array(mappingEntry).default([]),
    subitems: subitemsSchema.optional(),
    /** Create status/dropdown labels that the board lacks instead of failing the row. */
    createLabelsIfMissing: z.boolean().default(false),
    /** Board-only columns whose edits webhooks bring back (e.g. factory status, planner notes). */
    tracked: z.array(trackedSchema).optional(),
    writeBack: writeBackSchema.optional(),
    /**
     * An item deleted or archived by hand: `report` (recorded; the next sync's update of it fails and is
     * reported), `recreate` (the sync state forgets the item, so the next sync creates it again) or
     * `forget` (the order is marked archived; the sync leaves it alone).
     */
    onItemRemoved: z.enum(REMOVED_ITEM_POLICIES).optional(),
  })
  .strict();
export type BoardConfig = z.infer<typeof boardSchema>;

const customerSchema = z
  .object({
    /** The value of the customer column in ORDERS_UNIFIED. */
    name: nonEmpty,
    board: boardId,
    /** Group title template, e.g. `{SEASON}`; groups are created on the board when missing. */
    group: nonEmpty.default("{SEASON}"),
  })
  .strict();
export type CustomerConfig = z.infer<typeof customerSchema>;

const dbUrl = z
  .string()
  .trim()
  .min(1)
  .refine((u) => urlSecrets(u).length === 0 && !/(^|;)\s*(password|pwd)\s*=/i.test(u), {
    message:
      "must not contain a password (user:password@, ?password= or Password=): put credentials in ORDER_SYNC_DB_URL instead",
  });

/** An IANA time zone the runtime knows (`Europe/London`); a typo is refused here, not at the first tick. */
const timeZone = z
  .string()
  .trim()
  .min(1)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a time zone (an IANA name such as "Europe/London" or "UTC")' },
  );

const cronExpression = z
  .string()
  .trim()
  .refine(
    (c) => {
      try {
        new Cron(c, { paused: true }).stop();
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a cron expression (five or six fields, e.g. "*/15 * * * *")' },
  );

const serveSchema = z
  .object({
    /** `--port` overrides. */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Address to listen on; `--host` overrides. Use 0.0.0.0 in a container. */
    host: z.string().trim().min(1).default("127.0.0.1"),
    /** When syncs run: every `intervalSeconds`, or on a `cron` expression (server's time zone unless `timezone`). */
    schedule: z
      .object({
        intervalSeconds: z.number().int().min(1).max(86_400).optional(),
        cron: cronExpression.optional(),
        timezone: timeZone.optional(),
        /** Run a sync as soon as the server starts. */
        runOnStart: z.boolean().default(true),
      })
      .strict()
      .refine((s) => !(s.intervalSeconds !== undefined && s.cron !== undefined), {
        message: "set intervalSeconds or cron, not both",
      })
      .default({ runOnStart: true }),
    health: z
      .object({
        /** `staging_tables` is unhealthy while a PENDING row is older than this (the seed's 24 h). */
        pendingMaxAgeHours: z
          .number()
          .positive()
          .max(24 * 365)
          .default(24),
        /** `last_batch` is unhealthy when the last run failed or no run finished for this long (default: 3 schedule periods, at least 1 h). */
        lastBatchMaxAgeMinutes: z.number().positive().optional(),
        /** How long a `monday_api` check result is reused (it costs a request). */
        mondayCheckCacheSeconds: z.number().min(0).max(3600).default(30),
      })
      .strict()
      .default({ pendingMaxAgeHours: 24, mondayCheckCacheSeconds: 30 }),
    /** On SIGTERM the batch in flight finishes and is recorded; after this long the process exits anyway. */
    shutdownGraceSeconds: z.number().positive().max(3600).default(120),
    /**
     * The URL monday.com calls (issue 14), e.g. `https://sync.example.com`: webhooks point at
     * `<publicUrl>/webhooks/monday/<ORDER_SYNC_WEBHOOK_SECRET>`.
     */
    publicUrl: z.url("must be an http(s) URL").optional(),
    webhooks: z
      .object({
        /** Largest request body the endpoint accepts (monday's events are a few kB). */
        maxBodyBytes: z.number().int().min(1024).max(10_485_760).default(262_144),
        /** `/health` is unhealthy while an inbox event waits longer than this. */
        inboxMaxLagSeconds: z.number().positive().max(86_400).default(300),
        /** How often the catch-up reads the boards' activity logs for events that never arrived (0: only on start). */
        catchUpIntervalSeconds: z.number().int().min(0).max(86_400).default(900),
      })
      .strict()
      .default({ maxBodyBytes: 262_144, inboxMaxLagSeconds: 300, catchUpIntervalSeconds: 900 }),
  })
  .strict()
  .default({
    port: 8080,
    host: "127.0.0.1",
    schedule: { runOnStart: true },
    health: { pendingMaxAgeHours: 24, mondayCheckCacheSeconds: 30 },
    shutdownGraceSeconds: 120,
    webhooks: { maxBodyBytes: 262_144, inboxMaxLagSeconds: 300, catchUpIntervalSeconds: 900 },
  });

/** A retention age: a whole number of hours, days or weeks, e.g. `90d`, `12h`, `2w`. */
const retentionAge = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,5}[hdw]$/, "must be a whole number of hours, days or weeks, e.g. 90d, 12h or 2w");

/**
 * What `prune` removes once older than its age; a kind without an age is kept forever. `changeLog` never
 * removes the newest batch of an order's entries, nor a batch a rollback hold names (rollback needs them).
 */
const retentionSchema = z
  .object({
    /** `MON_SyncRuns` and `MON_SyncRunCustomers` rows of finished runs that have no change log left. */
    runs: retentionAge.optional(),
    /** `MON_ChangeLog` entries superseded by a later batch of the same order. */
    changeLog: retentionAge.optional(),
    /** `validation-<batch>.json|html` files in `quality.reportDir` (never `validation-latest.*`). */
    reports: retentionAge.optional(),
  })
  .strict()
  .optional();
export type RetentionConfig = NonNullable<z.infer<typeof retentionSchema>>;

export const configSchema = z
  .object({
    source: z
      .object({
        dialect: z.enum(DB_DIALECTS).default("sqlite"),
        /** SQLite file (relative to the config file) or a postgres://, mysql://, mssql://… URL; ORDER_SYNC_DB_URL overrides. */
        url: dbUrl.default("order-sync.db"),
        table: nonEmpty.default("ORDERS_UNIFIED"),
        keyColumn: nonEmpty.default("AAG ORDER NUMBER"),
        customerColumn: nonEmpty.default("CUSTOMER"),
        /** Orders whose column contains this text are cancelled: excluded, and archived if synced before. */
        cancelled: z
          .object({ column: nonEmpty.default("AAG ORDER NUMBER"), contains: nonEmpty.default("CANCELLED") })
          .strict()
          .default({ column: "AAG ORDER NUMBER", contains: "CANCELLED" }),
      })
      .strict()
      .default({
        dialect: "sqlite",
        url: "order-sync.db",
        table: "ORDERS_UNIFIED",
        keyColumn: "AAG ORDER NUMBER",
        customerColumn: "CUSTOMER",
        cancelled: { column: "AAG ORDER NUMBER", contains: "CANCELLED" },
      }),
    monday: z
      .object({
        /** MONDAY_API_URL overrides. The token always comes from MONDAY_API_TOKEN. */
        apiUrl: z
          .url("must be an http(s) URL")
          .refine((u) => !hasUserInfo(u) && urlSecrets(u).length === 0, {
            message: "must not contain credentials: the token comes from MONDAY_API_TOKEN",
          })
          .default("https://api.monday.com/v2"),
        apiVersion: z
          .string()
          .regex(/^\d{4}-\d{2}$/, "must look like 2026-10")
          .default("2026-10"),
        timeoutSeconds: z.number().positive().max(600).default(60),
        /** The account's complexity budget per minute (personal token: 10M; trial/free: 1M). */
        budgetPerMinute: z.number().int().min(10_000).default(10_000_000),
        /** Attempts of one request before its rows are left FAILED for the next run. */
        maxAttempts: z.number().int().min(1).max(20).default(5),
        /** Backoff between retries of 5xx, lost connections (exponential) and timeouts (linear steps of `initial`). */
        backoffSeconds: z
          .object({
            initial: z.number().positive().max(60).default(1),
            max: z.number().positive().max(600).default(30),
          })
          .strict()
          .default({ initial: 1, max: 30 }),
        /** Circuit breaker: consecutive failures that open it, and seconds before it lets a trial request through. */
        breaker: z
          .object({
            failureThreshold: z.number().int().min(1).max(1000).default(5),
            recoverySeconds: z.number().positive().max(3600).default(60),
          })
          .strict()
          .default({ failureThreshold: 5, recoverySeconds: 60 }),
        /**
         * The bulk import lane for NEW orders (issue 18; API-FACTS "Bulk import"): `off` (mutations only),
         * `ingest` (`ingest_items`, any editor, 19,000 items an hour), `backfill` (`backfill_items`, account
         * admins, no automations), `auto` (ingest beside the mutation lane where it shortens the run).
         */
        bulk: z.enum(["off", "ingest", "backfill", "auto"]).default("off"),
        /**
         * The longest wait between two polls of a bulk job (the docs suggest about 10 s); a job is first
         * polled after a tenth of it, then when its progress says it ends (`nextPollMs`).
         */
        bulkPollSeconds: z.number().positive().max(600).default(10),
      })
      .strict()
      .default({
        apiUrl: "https://api.monday.com/v2",
        apiVersion: "2026-10",
        timeoutSeconds: 60,
        budgetPerMinute: 10_000_000,
        maxAttempts: 5,
        backoffSeconds: { initial: 1, max: 30 },
        breaker: { failureThreshold: 5, recoverySeconds: 60 },
        bulk: "off",
        bulkPollSeconds: 10,
      }),
    sync: z
      .object({
        /** Customers synced at the same time (one writer per board still holds). */
        concurrency: z.number().int().min(1).max(64).default(4),
        /** Most mutations per request (aliased batch); the per-query complexity cap may lower it. */
        batchSize: z.number().int().min(1).max(500).default(50),
        /** Orders read from the source per page. */
        pageSize: z.number().int().min(10).max(50_000).default(1000),
        /**
         * A customer's run holds a lease in MON_SyncLocks so two processes on one database never sync it at
         * once; the holder renews it every third of this, and a crashed holder's lease lapses after it.
         */
        lockTtlSeconds: z.number().int().min(5).max(3600).default(120),
      })
      .strict()
      .default({ concurrency: 4, batchSize: 50, pageSize: 1000, lockTtlSeconds: 120 }),
    /** `order-sync serve`: the HTTP server, the sync schedule and the health thresholds. */
    serve: serveSchema,
    /** The data-quality framework: required fields, rule severities, user rules, halting share. */
    quality: qualityConfigSchema,
    /** How long run logs, change logs and report files are kept (`prune`, and `serve` after each run). */
    retention: retentionSchema,
    boards: z.array(boardSchema).min(1, "declare at least one board"),
    customers: z.array(customerSchema).min(1, "map at least one customer to a board"),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const boardIds = new Set<string>();
    cfg.boards.forEach((b, i) => {
      if (boardIds.has(b.id))
        ctx.addIssue({
          code: "custom",
          path: ["boards", i, "id"],
          message: `board ${b.id} is declared twice`,
        });
      boardIds.add(b.id);
    });
    const names = new Set<string>();
    cfg.customers.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({
          code: "custom",
          path: ["customers", i, "name"],
          message: `customer "${c.name}" is listed twice`,
        });
      names.add(c.name);
      if (!boardIds.has(c.board))
        ctx.addIssue({
          code: "custom",
          path: ["customers", i, "board"],
          message: `board ${c.board} is not declared under boards (declared: ${[...boardIds].join(", ") || "none"})`,
        });
    });
  });

export type Config = z.infer<typeof configSchema>;
