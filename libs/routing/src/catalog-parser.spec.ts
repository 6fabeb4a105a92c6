import { parseCatalog } from './catalog-parser';

const valid = {
  id: 'gr4vy-au',
  adapter: 'gr4vy',
  enabled: true,
  paymentMethods: ['card'],
  currencies: ['AUD'],
  countries: ['AU'],
  limits: { AUD: { minMinor: 100, maxMinor: 1_000_000 } },
  fees: { percent: 1.75, fixedMinor: { AUD: 30 } },
  priority: 80,
  options: { paymentServiceId: 'x' },
};

describe('parseCatalog', () => {
  it('reads a full route', () => {
    expect(parseCatalog({ providers: [valid] }).routes[0]).toEqual(valid);
  });

  it('defaults options to an empty object', () => {
    const { options: _options, ...withoutOptions } = valid;
    expect(parseCatalog({ providers: [withoutOptions] }).routes[0].options).toEqual({});
  });

  it('refuses a document without a providers array', () => {
    expect(() => parseCatalog({ routes: [] })).toThrow('"providers" array');
  });

  it('names every problem at once', () => {
    const bad = { ...valid, id: 'Bad Id', currencies: ['aud'], enabled: 'yes', priority: 101, extra: 1 };
    expect(() => parseCatalog({ providers: [bad] })).toThrow(
      /providers\[0\]\.extra[\s\S]*providers\[0\]\.id[\s\S]*enabled[\s\S]*currencies[\s\S]*priority/,
    );
  });

  it('refuses fractional limits and duplicate ids', () => {
    expect(() => parseCatalog({ providers: [{ ...valid, limits: { AUD: { maxMinor: 1.5 } } }] })).toThrow(
      'limits.AUD',
    );
    expect(() => parseCatalog({ providers: [valid, valid] })).toThrow('used twice');
  });
});
