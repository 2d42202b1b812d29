/** Small misbehaving servers on loopback, for the client's fault tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

export interface Running {
  url: string;
  close(): Promise<void>;
}

function track(server: { on(event: 'connection', fn: (s: Socket) => void): unknown }): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

/** Listens on an ephemeral loopback port; close() also ends the open connections. */
function listen(server: NetServer): Promise<Running> {
  const sockets = track(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Running> {
  return listen(createServer(handler));
}

/** A TCP server that answers every connection with `onData` (for invalid HTTP). */
export function tcpServer(onData: (socket: Socket) => void): Promise<Running> {
  return listen(createNetServer((socket) => socket.once('data', () => onData(socket))));
}

/** A port with nothing listening on it. */
export async function closedPort(): Promise<string> {
  const r = await tcpServer(() => undefined);
  await r.close();
  return r.url;
}
