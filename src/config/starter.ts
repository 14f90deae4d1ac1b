/** Board ids used by the starter config and the demo; the emulator creates them from the config. */
export const STARTER_BOARD_ID = "5001000001";
export const STARTER_SUBITEMS_BOARD_ID = "5001000002";
const SECOND_BOARD_ID = "5002000001";
const SECOND_SUBITEMS_BOARD_ID = "5002000002";

/** The demo data's order statuses, which are the status column's labels. */
export const ORDER_STATUS_LABELS = ["Open", "Confirmed", "In Production", "Shipped", "On Hold"];

/** The customers in the demo data and the board each goes to. */
export const DEMO_CUSTOMERS: readonly { name: string; board: string }[] = [
  { name: "NORTHWIND APPAREL", board: STARTER_BOARD_ID },
  { name: "BLUE HARBOR", board: STARTER_BOARD_ID },
  { name: "KESTREL OUTDOOR", board: STARTER_BOARD_ID },
  { name: "MAPLE & MOSS", board: SECOND_BOARD_ID },
  { name: "URBAN THREAD CO", board: SECOND_BOARD_ID },
];

function boardBlock(id: string, name: string, subitemsId: string): string {
  return `  - id: "${id}"
    name: ${name}
    keyColumn: { id: order_number, title: AAG Order Number, type: text }
    itemName: "{AAG ORDER NUMBER} {STYLE}"
    columns:
      - { source: CUSTOMER, id: customer, title: Customer, type: text }
      - { source: PO NUMBER, id: po_number, title: PO Number, type: text }
      - { source: STYLE, id: style, title: Style, type: text }
      - { source: COLOR, id: color, title: Colour, type: text }
      - { source: SEASON, id: season, title: Season, type: text }
      - { source: ORDER QTY, id: order_qty, title: Order Qty, type: numbers }
      - { source: TOTAL QTY, id: total_qty, title: Total Qty, type: numbers }
      - { source: EX FACTORY DATE, id: ex_factory, title: Ex Factory, type: date }
      - { source: DELIVERY DATE, id: delivery, title: Delivery, type: date }
      - source: ORDER STATUS
        id: order_status
        title: Order Status
        type: status
        labels: [${ORDER_STATUS_LABELS.join(", ")}]
    subitems:
      boardId: "${subitemsId}"
      name: "{size}"
      quantityColumn: { id: quantity, title: Quantity, type: numbers }
      sizes:
        - { size: XS, source: SIZE_XS }
        - { size: S, source: SIZE_S }
        - { size: M, source: SIZE_M }
        - { size: L, source: SIZE_L }
        - { size: XL, source: SIZE_XL }
        - { size: XXL, source: SIZE_XXL }
`;
}

/** The starter `order-sync.yaml` that `order-sync init` writes; it matches the demo database. */
export function starterConfig(dbFile = "order-sync.db"): string {
  const customers = DEMO_CUSTOMERS.map(
    (c) => `  - { name: ${JSON.stringify(c.name)}, board: "${c.board}", group: "{SEASON}" }`,
  ).join("\n");
  return `# order-sync configuration. Reference: README.md, "Configuration".
# Secrets never go here: MONDAY_API_TOKEN and ORDER_SYNC_DB_URL come from the environment.
source:
  dialect: sqlite            # sqlite | postgres | mysql | mssql (ORDER_SYNC_DB_URL overrides both)
  url: ${dbFile}        # SQLite file, relative to this file
  table: ORDERS_UNIFIED
  keyColumn: AAG ORDER NUMBER
  customerColumn: CUSTOMER
  cancelled: { column: AAG ORDER NUMBER, contains: CANCELLED }

monday:
  apiUrl: https://api.monday.com/v2   # MONDAY_API_URL overrides (e.g. the emulator's http://127.0.0.1:4000/v2)
  apiVersion: "2026-10"
  timeoutSeconds: 60
  budgetPerMinute: 10000000   # complexity points a minute (personal token: 10M)
  maxAttempts: 5              # tries of one request (rate limits, timeouts, 5xx) before its rows wait for the next run
  breaker: { failureThreshold: 5, recoverySeconds: 60 }

sync:
  concurrency: 4     # customers synced at once
  batchSize: 50      # most mutations per request
  pageSize: 1000     # orders read per page
  lockTtlSeconds: 120  # a customer's lease in MON_SyncLocks: two processes never sync one customer at once

serve:               # order-sync serve: HTTP server (/metrics, /health, POST /api/sync) + scheduled syncs
  port: 8080         # --port overrides
  host: 127.0.0.1    # --host overrides; 0.0.0.0 in a container
  schedule: { intervalSeconds: 900, runOnStart: true }   # or { cron: "*/15 * * * *" }
  health: { pendingMaxAgeHours: 24 }   # /health is unhealthy while a PENDING row is older than this
  shutdownGraceSeconds: 120            # SIGTERM finishes the batch in flight; exit anyway after this

retention:           # order-sync prune, and serve after each run; leave a key out to keep that kind forever
  runs: 90d          # finished runs with no change log left (MON_SyncRuns, MON_SyncRunCustomers)
  changeLog: 180d    # change-log entries a later batch of the same order superseded (an order's newest batch stays)
  reports: 30d       # validation-<batch>.json|html in quality.reportDir (never validation-latest.*)

boards:
${boardBlock(STARTER_BOARD_ID, "Customer Master Schedule", STARTER_SUBITEMS_BOARD_ID)}${boardBlock(SECOND_BOARD_ID, "Customer Master Schedule (Europe)", SECOND_SUBITEMS_BOARD_ID)}
customers:
${customers}
`;
}
