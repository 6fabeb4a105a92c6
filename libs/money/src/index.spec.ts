import * as viaAlias from '@app/money';
import * as viaIndex from './index';

describe('@app/money public API', () => {
  it('resolves the @app/money alias to this library', () => {
    expect(viaAlias.parseMajorToMinor).toBe(viaIndex.parseMajorToMinor);
  });

  it('exports exactly the documented runtime API', () => {
    expect(Object.keys(viaAlias).sort()).toEqual(
      [
        'ISO4217_PUBLISHED',
        'ISO4217_TABLE',
        'MAX_AMOUNT_MINOR',
        'MAX_DECIMAL_STRING_LENGTH',
        'MAX_EXACT_MINOR',
        'MAX_SIGNIFICANT_DIGITS',
        'MONEY_ERROR_REASONS',
        'MoneyError',
        'SUPPORTED_CURRENCIES',
        'assertWithinCap',
        'computeOrderTotal',
        'currencyExponent',
        'formatMinorAsDecimalString',
        'isIso4217Code',
        'isMoneyError',
        'isSupportedCurrency',
        'minorToMajorNumber',
        'parseMajorToMinor',
        'reconcileTotal',
        'toSafeNumber',
      ].sort(),
    );
  });
});
