/**
 * An error's message, for logs, the run log and the CLI: the message of an `Error`, the text of anything
 * else that was thrown.
 *
 * @example errorMessage(new Error("boom")) // "boom"; errorMessage("boom") // "boom"
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
