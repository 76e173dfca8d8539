/** A TCP server on 127.0.0.1 that accepts every connection and never answers: an issuer that hangs. */
import { createServer, type AddressInfo, type Socket } from "node:net";

/** A running black hole. */
export interface BlackHole {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Drops every open connection and stops listening. */
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("error", () => {}); // the client gave up (its timeout): a reset, nothing to report
    socket.on("close", () => sockets.delete(socket));
    socket.resume(); // read the request, answer nothing
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
