// The account and its users as the API shows them: `me`, `users(...)` and `account`.
import { ACCOUNT_ID } from "./replies.js";
import type { RequestContext } from "./resolvers.js";
import { DEFAULT_USER, type EmulatorUser } from "./users.js";

type Args = Record<string, unknown>;

/** When the emulated account and its users were created (fixed, so answers are reproducible). */
const ACCOUNT_CREATED_AT = "2026-01-05T09:00:00Z";

/** `users(limit:)` is at most 1,000 (SDL: "the default is 200. The maximum is 1000"). */
const MAX_USERS_PAGE = 1_000;

/** The emulated account: an Enterprise account (the limits the emulator enforces are Enterprise's). */
const ACCOUNT = Object.freeze({
  id: String(ACCOUNT_ID),
  name: "Emulator Account",
  slug: "emulator",
  tier: "enterprise",
  plan: Object.freeze({ max_users: 1_000, period: "yearly", tier: "enterprise", version: 1 }),
  // Week rules of `query_params` date filters (THIS_WEEK, ONE_WEEK_AGO) start weeks on this day.
  first_day_of_the_week: "monday",
  show_timeline_weekends: true,
  country_code: "US",
});

/** `users(kind:)` → whether a user of that kind is listed; every emulated user is an active member. */
const USER_KINDS: Readonly<Record<string, boolean>> = {
  all: true,
  non_guests: true,
  non_pending: true,
  guests: false,
};

class AccountView {
  readonly id = ACCOUNT.id;
  readonly name = ACCOUNT.name;
  readonly slug = ACCOUNT.slug;
  readonly tier = ACCOUNT.tier;
  readonly plan = ACCOUNT.plan;
  readonly first_day_of_the_week = ACCOUNT.first_day_of_the_week;
  readonly show_timeline_weekends = ACCOUNT.show_timeline_weekends;
  readonly country_code = ACCOUNT.country_code;
  constructor(private readonly ctx: RequestContext) {}
  get active_members_count() {
    return this.ctx.users.list().length;
  }
}

class UserView {
  readonly title = "";
  readonly created_at = ACCOUNT_CREATED_AT;
  readonly account_id = ACCOUNT.id;
  readonly status = "ACTIVE";
  readonly is_deleted = false;
  readonly is_email_confirmed = true;
  readonly time_zone_identifier = "Etc/UTC";
  readonly utc_hours_diff = 0;
  constructor(
    private readonly ctx: RequestContext,
    private readonly user: EmulatorUser,
  ) {}
  get id() {
    return this.user.id;
  }
  get name() {
    return this.user.name;
  }
  get email() {
    return this.user.email;
  }
  get url() {
    return `https://${ACCOUNT.slug}.monday.com/users/${this.user.id}`;
  }
  /** The default user owns the account (an admin); users added with `--user` are members. */
  get kind() {
    return this.user.id === DEFAULT_USER.id ? "admin" : "member";
  }
  account() {
    return new AccountView(this.ctx);
  }
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** The filters of `users(...)`, each a test on one user; an argument left out keeps everyone. */
function userFilters(args: Args): ((user: EmulatorUser) => boolean)[] {
  const ids = strings(args.ids);
  const emails = strings(args.emails)?.map((e) => e.toLowerCase());
  const name = typeof args.name === "string" ? args.name.toLowerCase() : undefined;
  const statuses = strings(args.status);
  const kind = typeof args.kind === "string" ? args.kind : "all";
  return [
    (u) => !ids || ids.includes(u.id),
    (u) => !emails || emails.includes(u.email.toLowerCase()),
    // monday's name filter is a fuzzy search; a case-insensitive substring is the emulator's approximation.
    (u) => name === undefined || u.name.toLowerCase().includes(name),
    () => !statuses || statuses.includes("ACTIVE"),
    () => args.non_active !== true && USER_KINDS[kind] !== false,
  ];
}

function users(args: Args, ctx: RequestContext): UserView[] {
  const filters = userFilters(args);
  const matching = ctx.users.list().filter((u) => filters.every((keep) => keep(u)));
  const ordered = args.newest_first === true ? [...matching].reverse() : matching;
  const size = Math.min(MAX_USERS_PAGE, Math.max(1, Number(args.limit ?? 200)));
  const start = (Math.max(1, Number(args.page ?? 1)) - 1) * size;
  return ordered.slice(start, start + size).map((u) => new UserView(ctx, u));
}

/** Root query fields of the account: `me` is the token's user. */
export const ACCOUNT_QUERIES = {
  me: (_args: Args, ctx: RequestContext) => new UserView(ctx, ctx.actor.user),
  users,
  account: (_args: Args, ctx: RequestContext) => new AccountView(ctx),
};
