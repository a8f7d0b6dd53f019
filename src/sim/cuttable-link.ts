import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A network path a scenario can cut (issue 14 drills): a TCP relay to a local port. Cut, it resets every connection,
 * as an unreachable endpoint does. Used for the replicas' path to their lease store (the state store stays reachable)
 * and for one replica's path to a gateway (its probes fail while everyone else's succeed).
 */
export class CuttableLink {
  private reachable = true;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CuttableLink> {
    let link: CuttableLink | null = null;
    const server = createServer((client) => {
      if (!link?.isReachable()) return void client.resetAndDestroy();
      const upstream = connect(targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        link.track(s);
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    link = new CuttableLink(server, (server.address() as { port: number }).port);
    return link;
  }

  isReachable(): boolean {
    return this.reachable;
  }

  setReachable(reachable: boolean): void {
    this.reachable = reachable;
    if (!reachable) for (const s of this.sockets) s.resetAndDestroy();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  async stop(): Promise<void> {
    this.setReachable(false);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
