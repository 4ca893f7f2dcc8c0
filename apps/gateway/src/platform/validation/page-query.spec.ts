import { validationPipe } from '../../app.factory';
import { PageQuery } from './page-query';

class Keyset extends PageQuery({ maxLimit: 100, defaultLimit: 20, cursor: 'keyset' }) {}
class Sequence extends PageQuery({ maxLimit: 1000, defaultLimit: 100, cursor: 'sequence' }) {}

async function fields(metatype: new () => object, query: Record<string, unknown>): Promise<unknown> {
  try {
    return await validationPipe.transform(query, { type: 'query', metatype });
  } catch (e) {
    return (e as { details: { fields: unknown } }).details.fields;
  }
}

describe('PageQuery', () => {
  it('limit: an integer from 1 to the list’s maximum, read from the query string', async () => {
    expect(await fields(Keyset, { limit: '100', cursor: 'abc' })).toEqual(
      Object.assign(new Keyset(), { limit: 100, cursor: 'abc' }),
    );
    expect(await fields(Keyset, { limit: '101' })).toEqual([
      { field: 'limit', messages: ['limit must not be greater than 100'] },
    ]);
    expect(await fields(Sequence, { limit: '1000' })).toEqual(Object.assign(new Sequence(), { limit: 1000 }));
    expect(await fields(Sequence, { limit: '0' })).toEqual([{ field: 'limit', messages: ['limit must not be less than 1'] }]);
  });

  it('cursor: a keyset one up to 512 characters without controls; a sequence one short base64url', async () => {
    expect(await fields(Keyset, { cursor: 'x'.repeat(513) })).toEqual([
      { field: 'cursor', messages: ['cursor must be shorter than or equal to 512 characters'] },
    ]);
    expect(await fields(Keyset, { cursor: 'a\u0001' })).toEqual([
      { field: 'cursor', messages: ['cursor must not contain control characters'] },
    ]);
    expect(await fields(Sequence, { cursor: 'x'.repeat(65) })).toEqual([{ field: 'cursor', messages: ['cursor is not valid'] }]);
    expect(await fields(Sequence, { cursor: '' })).toEqual([{ field: 'cursor', messages: ['cursor is not valid'] }]);
  });

  it('anything else is refused by name, like every query', async () => {
    expect(await fields(Keyset, { page: '2' })).toEqual([{ field: 'page', messages: ['property page should not exist'] }]);
  });
});
