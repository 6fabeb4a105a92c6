import {
  bigint,
  char,
  clip,
  ColumnMap,
  columnList,
  columnsOf,
  integer,
  jsonb,
  nullable,
  placeholders,
  readRow,
  recordsetColumns,
  timestamptz,
  varchar,
  writeRecord,
  writeRow,
} from './column-map';

interface Sample {
  id: string;
  amountMinor: number;
  status: 'OPEN' | 'DONE';
  note?: string;
  tags: string[];
  seenAt?: Date;
}

const SAMPLE: ColumnMap<Sample> = {
  id: char('id', 8),
  amountMinor: bigint('amount_minor'),
  status: varchar('status', 8),
  note: nullable(varchar('note', 5, { clip: true })),
  tags: jsonb('tags'),
  seenAt: nullable(timestamptz('seen_at')),
};

/* Checked by `tsc` (npm run lint): each line must fail to compile, or the directive itself is an error. */
export const WRONG_MAPPINGS: Array<ColumnMap<Sample>> = [
  // @ts-expect-error a field without its column
  {
    id: char('id', 8),
    amountMinor: bigint('amount_minor'),
    status: varchar('status', 8),
    tags: jsonb('tags'),
    seenAt: nullable(timestamptz('seen_at')),
  },
  {
    ...SAMPLE,
    // @ts-expect-error a column for no field
    archivedAt: timestamptz('archived_at'),
  },
  {
    ...SAMPLE,
    // @ts-expect-error a bigint column behind a string field
    id: bigint('id'),
  },
  {
    ...SAMPLE,
    // @ts-expect-error a NULL column behind a required field
    amountMinor: nullable(integer('amount_minor')),
  },
  {
    ...SAMPLE,
    // @ts-expect-error a NOT NULL column behind an optional field
    note: varchar('note', 5),
  },
  {
    ...SAMPLE,
    // @ts-expect-error a JSON document behind a number
    amountMinor: jsonb('amount_minor'),
  },
];

describe('column map', () => {
  const row: Sample = { id: 'ab', amountMinor: 1250, status: 'OPEN', note: 'abcdefgh', tags: ['x'] };

  it('lists the columns and the parameters in one order', () => {
    expect(columnList(columnsOf(SAMPLE))).toBe('id, amount_minor, status, note, tags, seen_at');
    expect(writeRow(SAMPLE, row)).toEqual(['ab', 1250, 'OPEN', 'abcde', '["x"]', null]);
    expect(placeholders(3, 2)).toBe('$2, $3, $4');
  });

  it('clips what a column only records to its length, and nothing else', () => {
    expect(writeRow(SAMPLE, { ...row, status: 'TOO_LONG_STATUS' as Sample['status'] })[2]).toBe(
      'TOO_LONG_STATUS',
    );
    expect(writeRow(SAMPLE, row)[3]).toBe('abcde');
  });

  it('clips at a code point, never inside a surrogate pair', () => {
    expect(clip('ab😀cd', 3)).toBe('ab😀');
    expect(clip('short', 64)).toBe('short');
  });

  it('reads what node-postgres returns: padded chars trimmed, bigints as numbers, NULL as absent', () => {
    const seenAt = new Date('2025-01-02T03:04:05.000Z');
    const read = readRow(SAMPLE, {
      id: 'ab      ',
      amount_minor: '1250',
      status: 'DONE',
      note: null,
      tags: ['x'],
      seen_at: seenAt,
    });
    expect(read).toEqual({
      id: 'ab',
      amountMinor: 1250,
      status: 'DONE',
      note: undefined,
      tags: ['x'],
      seenAt,
    });
  });

  it('describes a recordset with the columns and types of the map', () => {
    const map: ColumnMap<Pick<Sample, 'id' | 'amountMinor' | 'note'>> = {
      id: char('id', 8),
      amountMinor: integer('amount_minor'),
      note: nullable(varchar('note', 5, { clip: true })),
    };
    expect(recordsetColumns(map)).toBe('id char(8), amount_minor integer, note varchar(5)');
    expect(writeRecord(map, { id: 'ab', amountMinor: 3, note: 'abcdefgh' })).toEqual({
      id: 'ab',
      amount_minor: 3,
      note: 'abcde',
    });
  });
});
