import * as http from 'node:http';
import type { Duplex } from 'node:stream';

/** Error code put on sockets we destroy because TCP connect took too long. */
export const CONNECT_TIMEOUT_CODE = 'ECONNECTTIMEOUT';

interface ConnectingSocket extends Duplex {
  connecting?: boolean;
}

/**
 * Destroys `socket` if it has not connected within `ms`. A response timeout
 * alone cannot tell "WeChat is slow" from "WeChat is unreachable", and the
 * latter should fail fast. Already connected sockets are left alone.
 */
export function armConnectTimeout(socket: ConnectingSocket, ms: number): void {
  if (!socket.connecting || !(ms > 0)) return;
  const timer = setTimeout(() => {
    const err: NodeJS.ErrnoException = new Error(`connect timed out after ${ms} ms`);
    err.code = CONNECT_TIMEOUT_CODE;
    socket.destroy(err);
  }, ms);
  timer.unref();
  const clear = () => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

/**
 * Wraps an agent's socket factory so every new connection gets a connect
 * timeout; reused keep-alive sockets never pass through here.
 */
export function withConnectTimeout<A extends http.Agent>(agent: A, ms: number): A {
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = createConnection(options, callback);
    if (socket) armConnectTimeout(socket, ms);
    return socket;
  };
  return agent;
}
