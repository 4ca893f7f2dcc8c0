import { createServer } from 'node:net';
import { ephemeralPortRange, findFreePort, portFree } from './free-port';

describe('findFreePort', () => {
  it('draws ports below the range the kernel gives outgoing connections', async () => {
    const { low } = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10000);
      expect(p).toBeLessThan(low);
    }
  });

  it('returns a port that can be listened on, and portFree sees one in use as taken', async () => {
    const port = await findFreePort();
    expect(await portFree(port)).toBe(true);
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      expect(await portFree(port)).toBe(false);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('reads the range from the kernel and falls back to the dynamic range on nonsense', () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralPortRange(() => 'garbage')).toEqual({ low: 49152, high: 65535 });
    expect(
      ephemeralPortRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual({ low: 49152, high: 65535 });
  });
});
