import type { BoardLocks } from "./board-locks.js";
import type { SyncMonday } from "./port.js";

/** Keeps the ids of a board's groups by title; creates missing groups (under the board's write lock). */
export class GroupDirectory {
  private readonly byBoard = new Map<string, Map<string, string>>();

  constructor(
    private readonly ctx: { monday: SyncMonday },
    private readonly locks: BoardLocks,
  ) {}

  /** Seeds a board's known groups from its live schema. */
  seed(boardId: string, groups: readonly { id: string; title: string }[]): void {
    const map = this.byBoard.get(boardId) ?? new Map<string, string>();
    for (const g of groups) if (!map.has(g.title)) map.set(g.title, g.id);
    this.byBoard.set(boardId, map);
  }

  /** The id of the group titled `title`, created when missing. */
  async groupId(boardId: string, title: string): Promise<string> {
    const map = this.byBoard.get(boardId) ?? new Map<string, string>();
    this.byBoard.set(boardId, map);
    const known = map.get(title);
    if (known) return known;
    return this.locks.run(boardId, async () => {
      const again = map.get(title);
      if (again) return again;
      const group = await this.ctx.monday.createGroup(boardId, title);
      map.set(title, group.id);
      return group.id;
    });
  }

  /** The title of a group id, if known. */
  titleOf(boardId: string, groupId: string): string | undefined {
    for (const [title, id] of this.byBoard.get(boardId) ?? []) if (id === groupId) return title;
    return undefined;
  }
}
