import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import type { LookupFunction } from 'node:net';
import { Duplex } from 'node:stream';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { armConnectTimeout, CONNECT_TIMEOUT_CODE, withConnectTimeout } from './connect-timeout';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Just enough of a socket: connecting flag, events, destroy. */
function fakeSocket(connecting: boolean) {
  const socket = new EventEmitter() as EventEmitter & { connecting: boolean; destroy: jest.Mock };
  socket.connecting = connecting;
  socket.destroy = jest.fn();
  return socket as unknown as Duplex & { connecting: boolean; destroy: jest.Mock };
}

describe('armConnectTimeout', () => {
  it('destroys a socket still connecting after the deadline, with a recognisable code', async () => {
    const socket = fakeSocket(true);
    armConnectTimeout(socket, 10);
    await wait(40);
    expect(socket.destroy).toHaveBeenCalledTimes(1);
    expect(socket.destroy.mock.calls[0][0]).toMatchObject({ code: CONNECT_TIMEOUT_CODE });
  });

  it('leaves a socket alone once it has connected', async () => {
    const socket = fakeSocket(true);
    armConnectTimeout(socket, 20);
    socket.emit('connect');
    await wait(50);
    expect(socket.destroy).not.toHaveBeenCalled();
  });

  it('does nothing for an already connected socket', async () => {
    const socket = fakeSocket(false);
    armConnectTimeout(socket, 5);
    await wait(30);
    expect(socket.destroy).not.toHaveBeenCalled();
  });
});

describe('withConnectTimeout on a real agent', () => {
  let server: LocalHttpServer;
  beforeEach(async () => (server = await LocalHttpServer.start()));
  afterEach(() => server.close());

  function get(agent: http.Agent, lookup?: LookupFunction): Promise<number> {
    const { port } = new URL(server.baseUrl);
    return new Promise((resolve, reject) => {
      http
        .get({ host: 'localhost', port, path: '/', agent, lookup }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  }

  it('lets normal connections through', async () => {
    const agent = withConnectTimeout(new http.Agent({ keepAlive: true }), 1_000);
    server.respond(json({}));
    await expect(get(agent)).resolves.toBe(200);
    agent.destroy();
  });

  it('fails a connection that does not complete in time (slow name resolution counts)', async () => {
    const agent = withConnectTimeout(new http.Agent(), 30);
    const slowLookup = ((_host: string, _opts: unknown, cb: (...args: unknown[]) => void) => {
      setTimeout(() => cb(null, '127.0.0.1', 4), 300);
    }) as unknown as LookupFunction;
    await expect(get(agent, slowLookup)).rejects.toMatchObject({ code: CONNECT_TIMEOUT_CODE });
    expect(server.requests).toHaveLength(0);
    agent.destroy();
  });
});
