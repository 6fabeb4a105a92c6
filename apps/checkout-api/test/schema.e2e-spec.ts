import { Client } from 'pg';
import { runMigrationsLocked } from '../src/infrastructure/database';
import { ColumnShape } from '../src/sessions/persistence/column-map';
import { ATTEMPT_TABLE, SESSION_TABLE, TableShape } from '../src/sessions/persistence/session.columns';
import { OPERATION_TABLE } from '../src/payments/persistence/payment-operation.columns';
import { createFreshDatabase } from './support/fresh-database';

interface InformationSchemaColumn {
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

/** information_schema's words for a type, spelled as the column maps spell it. */
function sqlTypeOf(column: InformationSchemaColumn): string {
  switch (column.data_type) {
    case 'character varying':
      return `varchar(${column.character_maximum_length})`;
    case 'character':
      return `char(${column.character_maximum_length})`;
    case 'numeric':
      return `numeric(${column.numeric_precision},${column.numeric_scale})`;
    case 'timestamp with time zone':
      return 'timestamptz';
    default:
      return column.data_type;
  }
}

const shape = ({ column, sqlType, nullable, maxLength }: ColumnShape) => ({
  column,
  sqlType,
  nullable,
  maxLength: maxLength ?? null,
});

describe('the migrations, run on an empty database', () => {
  let database: Awaited<ReturnType<typeof createFreshDatabase>>;
  let client: Client;

  beforeAll(async () => {
    database = await createFreshDatabase();
    await runMigrationsLocked(database.url, 60_000);
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it.each<[string, TableShape]>([
    ['checkout_sessions', SESSION_TABLE],
    ['provider_attempts', ATTEMPT_TABLE],
    ['payment_operations', OPERATION_TABLE],
  ])('create %s with the columns, types, nullability and lengths of its column map', async (name, table) => {
    const { rows } = await client.query<InformationSchemaColumn>(
      `SELECT column_name, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
      [name],
    );
    const inDatabase = rows.map((column) => ({
      column: column.column_name,
      sqlType: sqlTypeOf(column),
      nullable: column.is_nullable === 'YES',
      maxLength: column.character_maximum_length,
    }));
    const byName = (a: { column: string }, b: { column: string }) => a.column.localeCompare(b.column);

    expect(table.name).toBe(name);
    expect(inDatabase.sort(byName)).toEqual(
      [...table.columns, ...table.filledByDatabase].map(shape).sort(byName),
    );
  });
});
