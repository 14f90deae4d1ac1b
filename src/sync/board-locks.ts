/**
 * One writer per board: monday warns that concurrent mutations to one board can corrupt data
 * (API-FACTS.md), so every write to a board runs through that board's queue.
 */
export class BoardLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly written = new Set<string>();

  /** Whether anything was written to the board through these locks (its item count may have changed). */
  hasWritten(boardId: string): boolean {
    return this.written.has(boardId);
  }

  /** Runs `task` after every earlier task for the same board has settled. */
  run<T>(boardId: string, task: () => Promise<T>): Promise<T> {
    this.written.add(boardId);
    const previous = this.tails.get(boardId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(boardId, tail);
    void tail.then(() => {
      if (this.tails.get(boardId) === tail) this.tails.delete(boardId);
    });
    return next;
  }
}
