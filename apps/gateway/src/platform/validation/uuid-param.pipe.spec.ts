import { UuidParamPipe } from './uuid-param.pipe';

class NoSuchThing extends Error {}

describe('UuidParamPipe', () => {
  it('lower-cases a UUID', () => {
    expect(new UuidParamPipe().transform('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
  });

  it.each(['nope', '', '0f8fad5b-d9cb-469f-a165', "1' OR 1=1", undefined])(
    '%j names nothing: undefined, or the not-found error',
    (value) => {
      expect(new UuidParamPipe().transform(value)).toBeUndefined();
      expect(() => new UuidParamPipe(() => new NoSuchThing()).transform(value)).toThrow(NoSuchThing);
    },
  );
});
