/**
 * A TCP proxy between the app and ARI, so a test can cut the network under a
 * live call, for the simulator and a real Asterisk alike.
 */
import net from 'node:net';

/** A proxy in front of `target` (http://host:port). */
export interface TcpProxy {
  /** The proxy's URL, to use as ARI_URL. */
  readonly url: string;
  /** Cuts every open connection, as a network failure would. */
  dropAll(): void;
  /** While blocked, new connections are refused (reconnection attempts fail). */
  block(blocked: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral loopback port. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  let blocked = false;
  const server = net.createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    block(value) {
      blocked = value;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
