// Users and tokens: `me`, `users`, `account`, people columns naming users, and monday's 401 for a token
// nobody owns once users are configured.
import { describe, expect, it } from "vitest";
import { DEFAULT_USER, type EmulatorOptions } from "../../src/emulator/index.js";
import { CREATE_ITEM, emulatorPerTest, gql } from "./client.js";

const start = emulatorPerTest((e) => {
  e.store.addColumn("100", { id: "owner", title: "Owner", type: "people" });
});

const TEAM = {
  users: {
    users: [
      { token: "tok-alice", name: "Alice Archer" },
      { token: "tok-alice-2", name: "Alice Archer" },
      { token: "tok-bob", name: "Bob Baker" },
    ],
    appTokens: ["tok-app"],
  },
  signingSecret: "s3cret",
} satisfies EmulatorOptions;

type Me = { me: { id: string; name: string; email: string; account: { id: string } } };

describe("users and tokens", () => {
  it("without users any non-empty token is the default user", async () => {
    const em = await start();
    const res = await gql<Me>(
      em,
      "{ me { id name email account { id } } }",
      {},
      { Authorization: "anything" },
    );
    expect(res.data?.me).toEqual({
      id: DEFAULT_USER.id,
      name: DEFAULT_USER.name,
      email: DEFAULT_USER.email,
      account: { id: "1" },
    });
    expect((await gql(em, "{ me { id } }", {}, { Authorization: " " })).status).toBe(401);
  });

  it("with users each token is its user, and any other token gets monday's 401", async () => {
    const em = await start(TEAM);
    const me = async (token: string) =>
      (await gql<Me>(em, "{ me { id name } }", {}, { Authorization: token })).data?.me;
    const alice = await me("tok-alice");
    expect(alice?.name).toBe("Alice Archer");
    expect(await me("tok-alice-2")).toEqual(alice);
    expect((await me("tok-bob"))?.name).toBe("Bob Baker");
    // An app token is known without being listed as a user: it acts as the default user.
    expect((await me("tok-app"))?.id).toBe(DEFAULT_USER.id);
    const refused = await gql(em, "{ me { id } }", {}, { Authorization: "tok-mallory" });
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHORIZED", status_code: 401 });
  });

  it("users(...) filters by ids, emails, name and kind, and pages", async () => {
    const em = await start(TEAM);
    const names = async (args: string) =>
      (
        await gql<{ users: { name: string }[] }>(
          em,
          `{ users${args} { name } }`,
          {},
          { Authorization: "tok-bob" },
        )
      ).data?.users.map((u) => u.name);
    expect(await names("")).toEqual([DEFAULT_USER.name, "Alice Archer", "Bob Baker"]);
    const bob = em.users.list().find((u) => u.name === "Bob Baker");
    expect(await names(`(ids: ["${bob?.id}"])`)).toEqual(["Bob Baker"]);
    expect(await names(`(emails: ["${bob?.email.toUpperCase()}"])`)).toEqual(["Bob Baker"]);
    expect(await names(`(name: "alice")`)).toEqual(["Alice Archer"]);
    expect(await names(`(kind: guests)`)).toEqual([]);
    expect(await names(`(limit: 2, page: 2)`)).toEqual(["Bob Baker"]);
    expect(await names(`(newest_first: true, limit: 1)`)).toEqual(["Bob Baker"]);
  });

  it("account tells the account's name, plan and first day of the week", async () => {
    const em = await start(TEAM);
    const res = await gql(
      em,
      "{ account { id name slug first_day_of_the_week active_members_count plan { tier max_users } } }",
      {},
      { Authorization: "tok-alice" },
    );
    expect(res.data?.account).toMatchObject({
      id: "1",
      first_day_of_the_week: "monday",
      active_members_count: 3,
      plan: { tier: "enterprise" },
    });
  });

  it("people columns name known users; an unknown person is InvalidUserIdException once users are configured", async () => {
    const em = await start(TEAM);
    const bob = em.users.list().find((u) => u.name === "Bob Baker");
    const people = (...ids: (string | number | undefined)[]) =>
      JSON.stringify({ owner: { personsAndTeams: ids.map((id) => ({ id: Number(id), kind: "person" })) } });
    const ok = await gql<{ create_item: { column_values: { id: string; text: string }[] } }>(
      em,
      `mutation ($values: JSON) { create_item(board_id: 100, item_name: "x", column_values: $values) {
         column_values(ids: ["owner"]) { id text } } }`,
      { values: people(bob?.id, DEFAULT_USER.id) },
      { Authorization: "tok-alice" },
    );
    expect(ok.data?.create_item.column_values).toEqual([
      { id: "owner", text: `Bob Baker, ${DEFAULT_USER.name}` },
    ]);
    const unknown = await gql(
      em,
      CREATE_ITEM,
      { board: "100", name: "y", values: people(424242) },
      { Authorization: "tok-alice" },
    );
    expect(unknown.status).toBe(200);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: "InvalidUserIdException",
      error_data: { user_id: "424242" },
    });
  });

  it("an open account takes any person id and shows it as the id", async () => {
    const em = await start();
    const res = await gql<{ create_item: { column_values: { text: string }[] } }>(
      em,
      `mutation { create_item(board_id: 100, item_name: "x",
         column_values: "{\\"owner\\":{\\"personsAndTeams\\":[{\\"id\\":77,\\"kind\\":\\"person\\"}]}}") {
         column_values(ids: ["owner"]) { text } } }`,
    );
    expect(res.data?.create_item.column_values).toEqual([{ text: "77" }]);
  });
});
