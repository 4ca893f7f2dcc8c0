import type { LookupAddress } from 'node:dns';
import { guardedLookup, isForbiddenAddress } from './address-guard';

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fd12::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
  ])('refuses %s', (ip) => expect(isForbiddenAddress(ip)).toBe(true));

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) =>
    expect(isForbiddenAddress(ip)).toBe(false),
  );

  it('the agents’ lookup refuses a name resolving to loopback (both lookup shapes)', async () => {
    const one = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      guardedLookup('localhost', {}, (err) => resolve(err)),
    );
    expect(one?.code).toBe('EWEBHOOKADDRESS');
    const all = await new Promise<[NodeJS.ErrnoException | null, string | LookupAddress[]]>((resolve) =>
      guardedLookup('localhost', { all: true }, (err, a) => resolve([err, a])),
    );
    expect(all[0]?.code).toBe('EWEBHOOKADDRESS');
  });
});
