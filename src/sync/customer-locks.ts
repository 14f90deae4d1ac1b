import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { isDuplicateKeyError, type Db } from "../db/index.js";

/**
 * Inserts a lease row unless the customer has one: `ON CONFLICT DO NOTHING` where the engine has it
 * (SQLite, PostgreSQL); MySQL/MariaDB and SQL Server insert and treat a duplicate key as "taken" (INSERT
 * IGNORE would hide other errors too). Resolves to whether this call inserted it.
 */
async function insertLease(
  db: Db,
  row: { customer: string; owner: string; batch_id: string; acquired_at: string; expires_at: string },
): Promise<boolean> {
  const insert = db.kysely.insertInto("MON_SyncLocks").values(row);
  if (db.dialect === "sqlite" || db.dialect === "postgres") {
    const r = await insert.onConflict((oc) => oc.column("customer").doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  try {
    await insert.execute();
    return true;
  } catch (e) {
    if (isDuplicateKeyError(db.dialect, e)) return false;
    throw e;
  }
}

/** Who holds a lease: `host:pid:random`, unique per process (and per `LeaseOwner`). */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** The holder of a customer's lease when it could not be taken. */
export interface LeaseHolder {
  owner: string;
  batchId: string;
  acquiredAt: string;
  expiresAt: string;
}

/** Whether `owner` names a process on this machine that no longer exists (its lease can be taken at once). */
function deadLocalOwner(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A customer's lease in `MON_SyncLocks`: two processes on one database never sync the same customer at
 * once (DESIGN.md Scale). Taking it is one conditional statement, atomic on every engine: insert, or
 * take over a lapsed lease (or one left by a dead process on this machine). The holder renews it every
 * third of the TTL; a renewal that finds the lease gone reports it lost, and the run stops that customer.
 */
export class CustomerLease {
  #timer: NodeJS.Timeout | undefined;
  #lost = false;
  #renewedAt = Date.now();

  private constructor(
    private readonly db: Db,
    readonly customer: string,
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes the customer's lease, or returns who holds it.
   *
   * @example
   * const lease = await CustomerLease.acquire(db, "BLUE HARBOR", owner, batchId, 120_000);
   * if (!(lease instanceof CustomerLease)) log.info(lease, "another process is syncing this customer");
   */
  static async acquire(
    db: Db,
    customer: string,
    owner: string,
    batchId: string,
    ttlMs: number,
    onLost?: () => void,
  ): Promise<CustomerLease | LeaseHolder> {
    // A holder seen here may release or lose the lease before the next statement; try again a few times.
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const row = { owner, batch_id: batchId, acquired_at: iso(now), expires_at: iso(now + ttlMs) };
      if (await insertLease(db, { customer, ...row })) break;
      const holder = await db.kysely
        .selectFrom("MON_SyncLocks")
        .selectAll()
        .where("customer", "=", customer)
        .executeTakeFirst();
      if (!holder) continue;
      const live = holder.expires_at >= iso(now) && !deadLocalOwner(holder.owner);
      if (live || attempt >= 3)
        return {
          owner: holder.owner,
          batchId: holder.batch_id,
          acquiredAt: holder.acquired_at,
          expiresAt: holder.expires_at,
        };
      // Take the lapsed lease over only if it is still the one we saw: of two takers, one wins.
      const taken = await db.kysely
        .updateTable("MON_SyncLocks")
        .set(row)
        .where("customer", "=", customer)
        .where("owner", "=", holder.owner)
        .where("expires_at", "=", holder.expires_at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) break;
    }
    const lease = new CustomerLease(db, customer, owner, ttlMs);
    lease.#timer = setInterval(
      () => {
        void lease.renew().then((ok) => {
          if (!ok && !lease.#lost) {
            lease.#lost = true;
            lease.#stopTimer();
            onLost?.();
          }
        });
      },
      Math.max(1000, Math.floor(ttlMs / 3)),
    );
    lease.#timer.unref();
    return lease;
  }

  /** Whether a renewal found the lease taken by someone else. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Pushes the expiry out by one TTL; false when the lease is no longer ours. */
  async renew(): Promise<boolean> {
    try {
      const r = await this.db.kysely
        .updateTable("MON_SyncLocks")
        .set({ expires_at: iso(Date.now() + this.ttlMs) })
        .where("customer", "=", this.customer)
        .where("owner", "=", this.owner)
        .executeTakeFirst();
      const ok = Number(r.numUpdatedRows) === 1;
      if (ok) this.#renewedAt = Date.now();
      return ok;
    } catch {
      // A database hiccup is not a lost lease while the lease is still well within its TTL; the next
      // renewal tries again. Once it may lapse, another process could take it: report it lost.
      return Date.now() - this.#renewedAt < this.ttlMs * 0.8;
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Gives the lease back (only if still ours). */
  async release(): Promise<void> {
    this.#stopTimer();
    await this.db.kysely
      .deleteFrom("MON_SyncLocks")
      .where("customer", "=", this.customer)
      .where("owner", "=", this.owner)
      .execute();
  }
}

/** Every customer's lease now, by customer (`status` shows who is syncing what); `lapsed` when expired. */
export async function currentLeases(
  db: Db,
): Promise<(LeaseHolder & { customer: string; lapsed: boolean })[]> {
  const now = new Date().toISOString();
  const rows = await db.kysely.selectFrom("MON_SyncLocks").selectAll().orderBy("customer").execute();
  return rows.map((l) => ({
    customer: l.customer,
    owner: l.owner,
    batchId: l.batch_id,
    acquiredAt: l.acquired_at,
    expiresAt: l.expires_at,
    lapsed: l.expires_at < now,
  }));
}
