import { createConnection, createServer, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 to `target`; `down()` cuts every connection and refuses new ones until `up()`, as an
 * unreachable endpoint. `down({ silent: true })` instead accepts connections and never answers (a network that drops
 * packets: every request waits for its own timeout).
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let refusing = false;
  let silent = false;
  const open = new Set<Socket>();
  const held = new Set<Socket>();
  const server = createServer((client) => {
    if (refusing && silent) {
      held.add(client);
      client.on("error", () => undefined);
      client.on("close", () => held.delete(client));
      return;
    }
    if (refusing) return client.destroy();
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    down(options: { silent?: boolean } = {}) {
      refusing = true;
      silent = options.silent ?? false;
      for (const s of open) s.destroy();
    },
    up() {
      refusing = false;
      // What waited in silence now fails, as a connection that timed out would.
      for (const s of held) s.destroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of [...open, ...held]) s.destroy();
      server.close(() => resolve());
    }),
  };
}
