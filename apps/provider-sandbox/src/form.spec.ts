import { decodeForm, FormDecodeError, splitKey } from './stripe/form';

describe('splitKey', () => {
  it('splits bracket notation', () => {
    expect(splitKey('mode')).toEqual(['mode']);
    expect(splitKey('line_items[0][price_data][currency]')).toEqual([
      'line_items',
      '0',
      'price_data',
      'currency',
    ]);
    expect(splitKey('expand[]')).toEqual(['expand', '']);
  });

  it.each(['[x]', 'a[b', 'a[b]c', 'a]b['])('rejects malformed key %s', (key) => {
    expect(() => splitKey(key)).toThrow(FormDecodeError);
  });
});

describe('decodeForm', () => {
  it('decodes nested objects and arrays (Stripe bracket notation)', () => {
    const raw = new URLSearchParams({
      mode: 'payment',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '1299',
      'line_items[0][price_data][product_data][name]': 'T-shirt & cap',
      'line_items[0][quantity]': '1',
      'line_items[1][quantity]': '3',
      'metadata[sessionId]': 'abc',
      'metadata[order id]': 'x=y',
    }).toString();
    expect(decodeForm(raw)).toEqual({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: '1299', product_data: { name: 'T-shirt & cap' } },
          quantity: '1',
        },
        { quantity: '3' },
      ],
      metadata: { sessionId: 'abc', 'order id': 'x=y' },
    });
  });

  it('appends with [] and decodes percent-escapes and +', () => {
    expect(decodeForm('expand[]=a&expand[]=b&name=Ada+Lovelace%21')).toEqual({
      expand: ['a', 'b'],
      name: 'Ada Lovelace!',
    });
    expect(decodeForm('a[]=1&a[][x]=2')).toEqual({ a: ['1', { x: '2' }] });
  });

  it('returns an empty object for an empty body', () => {
    expect(decodeForm('')).toEqual({});
  });

  it.each([
    ['a=1&a=2', /Duplicate/],
    ['a=1&a[b]=2', /Conflicting/],
    ['a[b]=1&a=2', /Duplicate/],
    ['a[0]=1&a[x]=2', /Conflicting/],
    ['a[0][x]=1&a[y]=2', /Conflicting/],
    ['a[__proto__][polluted]=1', /Invalid parameter/],
    ['constructor[prototype][x]=1', /Invalid parameter/],
    ['a[5000]=1', /too large/],
    ['a[b][c][d][e][f][g][h][i]=1', /deeply/],
  ])('rejects %s', (raw, message) => {
    expect(() => decodeForm(raw)).toThrow(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits the number of parameters', () => {
    const raw = Array.from({ length: 1001 }, (_, i) => `k${i}=v`).join('&');
    expect(() => decodeForm(raw)).toThrow(/Too many/);
  });
});
