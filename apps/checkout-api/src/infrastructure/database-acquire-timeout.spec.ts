import { createDataSource } from './database';

describe('createDataSource', () => {
  const extra = (acquireTimeoutMs: number) =>
    (
      createDataSource('postgres://u:p@127.0.0.1:5432/db', 4, 5000, acquireTimeoutMs).options as {
        extra: object;
      }
    ).extra;

  it('bounds the wait for a pooled connection by DB_ACQUIRE_TIMEOUT_MS', () => {
    expect(extra(300)).toMatchObject({ max: 4, connectionTimeoutMillis: 300 });
  });

  it('keeps the statement timeout apart from the acquire timeout', () => {
    expect(extra(300)).toMatchObject({ statement_timeout: 5000, connectionTimeoutMillis: 300 });
  });
});
