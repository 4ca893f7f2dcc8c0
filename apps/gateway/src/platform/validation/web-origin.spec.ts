import { parseWebOrigin } from './web-origin';

describe('parseWebOrigin', () => {
  it.each([
    ['https://shop.example', 'https://shop.example'],
    ['https://Shop.Example/', 'https://shop.example'],
    ['https://shop.example:8443', 'https://shop.example:8443'],
    ['https://shop.example:443', 'https://shop.example'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('%s is the origin %s', (raw, origin) => {
    expect(parseWebOrigin(raw, false)).toBe(origin);
  });

  it.each([
    'https://shop.example/h5',
    'https://shop.example?x=1',
    'https://shop.example#x',
    'https://user:pw@shop.example',
    'ftp://shop.example',
    'shop.example',
    'https:\\\\shop.example',
    '',
  ])('%s is not an origin', (raw) => {
    expect(parseWebOrigin(raw, false)).toBeUndefined();
  });

  it('http only outside production', () => {
    expect(parseWebOrigin('http://shop.example', true)).toBeUndefined();
    expect(parseWebOrigin('https://shop.example', true)).toBe('https://shop.example');
  });
});
