/** A person on the emulated account: what `me`, `users`, people columns and webhook `userId`s name. */
export interface EmulatorUser {
  /** monday user ids are numbers; the API returns them as `ID` strings. */
  id: string;
  name: string;
  email: string;
}

/** Who sent a request: the user its token belongs to, and whether the token is an app's OAuth token. */
export interface Actor {
  user: EmulatorUser;
  token: string;
  /** Webhooks created with an app token are signed (HS256 JWT); personal-token ones are not. */
  app: boolean;
}

/** The users and tokens an emulator knows (`--user <token>=<name>`, `--app-token <token>`). */
export interface UserSettings {
  /** `token → name`; with any entry (or `closed`), other tokens get monday's 401. */
  users?: readonly { token: string; name: string }[];
  /** Tokens that are apps' OAuth tokens (they must also be known when the directory is closed). */
  appTokens?: readonly string[];
  /** Tokens of the default user (`--token T`); with any, other tokens get monday's 401. */
  defaultUserTokens?: readonly string[];
  /** Names of configured users who are account admins (`backfill_items` needs one); the default user always is. */
  admins?: readonly string[];
}

/** The account's default user: any non-empty token is this user unless users are configured. */
export const DEFAULT_USER: EmulatorUser = Object.freeze({
  id: "1000001",
  name: "Emulator User",
  email: "emulator.user@example.com",
});

const FIRST_USER_ID = 1_000_002;

function emailOf(name: string, id: string): string {
  const local = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ".")
    .replace(/^\.|\.$/g, "");
  return `${local || "user"}.${id}@example.com`;
}

/**
 * Maps tokens to users. Open (no users configured): any non-empty token is {@link DEFAULT_USER}.
 * Closed (any user or default-user token configured): only those tokens and app tokens authenticate; the
 * same name given twice is one user with two tokens.
 */
export class UserDirectory {
  private readonly byToken = new Map<string, EmulatorUser>();
  private readonly people: EmulatorUser[] = [DEFAULT_USER];
  private readonly apps: ReadonlySet<string>;
  private readonly closed: boolean;
  private readonly admins: ReadonlySet<string>;

  constructor(settings: UserSettings = {}) {
    const byName = new Map<string, EmulatorUser>();
    let next = FIRST_USER_ID;
    for (const { token, name } of settings.users ?? []) {
      let user = byName.get(name);
      if (!user) {
        const id = String(next++);
        user = { id, name, email: emailOf(name, id) };
        byName.set(name, user);
        this.people.push(user);
      }
      this.byToken.set(token, user);
    }
    for (const token of settings.defaultUserTokens ?? []) this.byToken.set(token, DEFAULT_USER);
    this.apps = new Set(settings.appTokens ?? []);
    this.admins = new Set(settings.admins ?? []);
    this.closed = this.byToken.size > 0;
  }

  /** The actor behind a token, or `undefined` for a token monday would answer 401. */
  authenticate(token: string | undefined): Actor | undefined {
    if (!token) return undefined;
    // An app token always authenticates: as its listed user, or as the default user.
    const user = this.byToken.get(token) ?? (this.closed && !this.apps.has(token) ? undefined : DEFAULT_USER);
    return user && { user, token, app: this.apps.has(token) };
  }

  /** Whether tokens (and people) are limited to the configured users; open, anything goes as the default user. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Every user of the account, the default user first. */
  list(): readonly EmulatorUser[] {
    return this.people;
  }

  /** Whether the user is an account admin: the default user, or a configured user named in `admins`. */
  isAdmin(user: EmulatorUser): boolean {
    return user.id === DEFAULT_USER.id || this.admins.has(user.name);
  }

  byId(id: string): EmulatorUser | undefined {
    return this.people.find((u) => u.id === id);
  }

  /**
   * Who a people column's `{"id":N,"kind":"person"}` names: a known user, `null` for an id monday would
   * refuse (`InvalidUserIdException`), or `undefined` when the directory is open and any id is accepted.
   */
  person(id: number): EmulatorUser | null | undefined {
    const user = this.byId(String(id));
    if (user) return user;
    return this.closed ? null : undefined;
  }
}
