import { exceedsDepth } from './body-shape';
import { CONTROL_CHARACTER } from './no-control-characters';

describe('body shape', () => {
  it('measures depth without recursion, even 20,000 levels deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(exceedsDepth(deep, 32)).toBe(true);
    expect(exceedsDepth({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(exceedsDepth({ openids: Array.from({ length: 1000 }, (_, i) => `o${i}`) }, 32)).toBe(false);
  });

  it('a raw body of bytes is one leaf, whatever its size: its bytes are never visited', () => {
    const raw = Buffer.alloc(10 * 1024 * 1024, 1);
    const visits = jest.spyOn(Object, 'values');
    expect(exceedsDepth(raw, 32)).toBe(false);
    expect(exceedsDepth({ nested: new Uint8Array(1024) }, 1)).toBe(false);
    expect(visits).not.toHaveBeenCalledWith(raw);
    visits.mockRestore();
  });

  it('control characters are C0 and DEL, not other text', () => {
    expect(CONTROL_CHARACTER.test('a\u0000b')).toBe(true);
    expect(CONTROL_CHARACTER.test('line\nbreak')).toBe(true);
    expect(CONTROL_CHARACTER.test('\u007f')).toBe(true);
    expect(CONTROL_CHARACTER.test('Café 咖啡 ☕')).toBe(false);
  });
});
