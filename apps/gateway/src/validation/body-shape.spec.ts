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

  it('control characters are C0 and DEL, not other text', () => {
    expect(CONTROL_CHARACTER.test('a\u0000b')).toBe(true);
    expect(CONTROL_CHARACTER.test('line\nbreak')).toBe(true);
    expect(CONTROL_CHARACTER.test('\u007f')).toBe(true);
    expect(CONTROL_CHARACTER.test('Café 咖啡 ☕')).toBe(false);
  });
});
