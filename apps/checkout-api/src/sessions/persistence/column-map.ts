/**
 * One typed description of a table, from which its statements and its row mapping are generated.
 * Pure data and pure functions: bench/floor-server.mjs loads the built file, so nothing here may
 * import Nest or TypeORM.
 */

/** A column type, spelled as the migrations declare it (the schema test normalises information_schema to it). */
export type SqlType =
  | 'uuid'
  | 'text'
  | 'jsonb'
  | 'timestamptz'
  | 'bigint'
  | 'integer'
  | 'smallint'
  | `varchar(${number})`
  | `char(${number})`
  | `numeric(${number},${number})`;

export interface Column<T, Nullable extends boolean = boolean> {
  readonly column: string;
  readonly sqlType: SqlType;
  readonly nullable: Nullable;
  /** Characters the column holds (varchar(n), char(n)). */
  readonly maxLength?: number;
  /** The field as a query parameter. */
  readonly write: (value: T) => unknown;
  /** The field from what node-postgres returns for the column. */
  readonly read: (raw: unknown) => T;
}

/** A column seen without its field's type: what statement generation and the schema test need. */
export interface ColumnShape {
  readonly column: string;
  readonly sqlType: SqlType;
  readonly nullable: boolean;
  readonly maxLength?: number;
}

/* Method syntax on purpose: a method parameter is compared bivariantly, so every Column<T> fits here. */
interface ErasedColumn extends ColumnShape {
  write(value: unknown): unknown;
  read(raw: unknown): unknown;
}

type OptionalKeys<Row> = { [K in keyof Row]-?: object extends Pick<Row, K> ? K : never }[keyof Row];

/**
 * One column for each field of Row. A field left out, one too many, a column of another type
 * (a bigint read into a string field) or of other nullability (a NULL column behind a required
 * field) fails to compile.
 */
export type ColumnMap<Row> = {
  readonly [K in keyof Required<Row>]: K extends OptionalKeys<Row>
    ? Column<Exclude<Row[K], undefined> | undefined, true>
    : Column<Row[K], false>;
};

function required<T>(column: string, sqlType: SqlType, read: (raw: unknown) => T, maxLength?: number) {
  const spec: Column<T, false> = { column, sqlType, nullable: false, write: (value) => value, read };
  return maxLength === undefined ? spec : { ...spec, maxLength };
}

const asString = (raw: unknown) => raw as string;
const asNumber = (raw: unknown) => Number(raw);

export const uuid = (column: string) => required<string>(column, 'uuid', asString);
export const text = (column: string) => required<string>(column, 'text', asString);
export const integer = (column: string) => required<number>(column, 'integer', asNumber);
export const smallint = (column: string) => required<number>(column, 'smallint', asNumber);
/* node-postgres returns bigint and numeric as strings; our amounts stay far below 2^53. */
export const bigint = (column: string) => required<number>(column, 'bigint', asNumber);
export const numeric = (column: string, precision: number, scale: number) =>
  required<number>(column, `numeric(${precision},${scale})`, asNumber);
export const timestamptz = (column: string) =>
  required<Date>(column, 'timestamptz', (raw) => new Date(raw as Date | string));

/** A fixed-width string: Postgres pads it with spaces, which the read takes off. */
export const char = (column: string, length: number) =>
  required<string>(column, `char(${length})`, (raw) => (raw as string).trimEnd(), length);

/**
 * A string of at most maxLength characters. `clip` is for what we only record (a provider's
 * error code or status word): it is cut to fit rather than fail the statement that carries it.
 */
export function varchar<T extends string = string>(
  column: string,
  maxLength: number,
  options: { clip?: boolean } = {},
): Column<T, false> {
  const spec = required<T>(column, `varchar(${maxLength})`, (raw) => raw as T, maxLength);
  return options.clip ? { ...spec, write: (value) => clip(value, maxLength) } : spec;
}

/** A JSON document; written as text because node-postgres would send an array as a Postgres array. */
export function jsonb<T extends object>(column: string): Column<T, false> {
  return {
    column,
    sqlType: 'jsonb',
    nullable: false,
    write: (value) => JSON.stringify(value),
    read: (raw) => raw as T,
  };
}

/** The column allows NULL, read as an absent field. */
export function nullable<T>(spec: Column<T, false>): Column<T | undefined, true> {
  return {
    ...spec,
    nullable: true,
    write: (value) => (value === undefined || value === null ? null : spec.write(value)),
    read: (raw) => (raw === null || raw === undefined ? undefined : spec.read(raw)),
  };
}

/** Cuts at a code point, never inside a surrogate pair; Postgres counts characters the same way. */
export function clip(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  return Array.from(value).slice(0, maxLength).join('');
}

function erased<Row>(map: ColumnMap<Row>): ErasedColumn[] {
  return Object.values(map) as ErasedColumn[];
}

/** The columns in the map's order, the order every generated list shares. */
export function columnsOf<Row>(map: ColumnMap<Row>): readonly ColumnShape[] {
  return erased(map);
}

/** `a, b, c`: a SELECT list, an INSERT column list, a RETURNING list. */
export function columnList(columns: readonly ColumnShape[]): string {
  return columns.map((spec) => spec.column).join(', ');
}

/** `$first, $first+1, …` for `count` parameters. */
export function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

/** The row's parameters, in the map's column order. */
export function writeRow<Row>(map: ColumnMap<Row>, row: Row): unknown[] {
  return (Object.keys(map) as Array<keyof Row>).map((field) =>
    (map[field] as ErasedColumn).write(row[field]),
  );
}

/** The row as a JSON object keyed by column, for `jsonb_to_recordset` (so no jsonb columns in such a map). */
export function writeRecord<Row>(map: ColumnMap<Row>, row: Row): Record<string, unknown> {
  return Object.fromEntries(
    (Object.keys(map) as Array<keyof Row>).map((field) => {
      const spec = map[field] as ErasedColumn;
      return [spec.column, spec.write(row[field])];
    }),
  );
}

/** `col type, …`: the column definition list of `jsonb_to_recordset(…) AS a(…)`. */
export function recordsetColumns<Row>(map: ColumnMap<Row>): string {
  return erased(map)
    .map((spec) => `${spec.column} ${spec.sqlType}`)
    .join(', ');
}

/** The fields of Row from a result row keyed by column name. */
export function readRow<Row>(map: ColumnMap<Row>, raw: Record<string, unknown>): Row {
  // Each field is built by its own column's read, which the map types against Row[field].
  return Object.fromEntries(
    (Object.keys(map) as Array<keyof Row>).map((field) => {
      const spec = map[field] as ErasedColumn;
      return [field, spec.read(raw[spec.column])];
    }),
  ) as Row;
}
