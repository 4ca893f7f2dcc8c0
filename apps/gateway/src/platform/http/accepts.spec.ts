import { prefersJson } from './accepts';

describe('prefersJson (a page or the error JSON)', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['application/json', true],
    ['application/json, text/plain, */*', true],
    ['application/json;q=0.5, text/html', false],
    ['text/html;q=0.5, application/json', true],
    ['text/html, application/json', false],
    ['application/json, text/html', true],
    ['application/*', true],
    ['application/json;q=0', false],
  ])('%s → %s', (accept, json) => {
    expect(prefersJson(accept)).toBe(json);
  });
});
