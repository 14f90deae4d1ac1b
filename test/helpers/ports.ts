import { createServer } from "node:net";

/** A port that was free a moment ago on 127.0.0.1 (nothing listens on it once this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
