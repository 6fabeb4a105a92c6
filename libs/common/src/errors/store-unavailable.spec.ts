import { runInNewContext } from 'node:vm';
import { QueryFailedError } from 'typeorm';
import { ReplyError } from 'ioredis';
import { DomainError } from './domain-error';
import { guardStore, isPostgresUnavailable, isRedisUnavailable, StoreUnavailable } from './store-unavailable';

function queryFailed(code: string, message = 'boom'): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isPostgresUnavailable', () => {
  it.each([
    ['a connection failure SQLSTATE (08006)', queryFailed('08006')],
    ['too many connections (53300)', queryFailed('53300')],
    ['admin shutdown (57P01)', queryFailed('57P01')],
    ['a statement timeout (57014)', queryFailed('57014', 'canceling statement due to statement timeout')],
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a pool that timed out waiting for a client', new Error('timeout exceeded when trying to connect')],
    ['a connection terminated by the server', new Error('Connection terminated unexpectedly')],
    ['a query read timeout', new Error('Query read timeout')],
    [
      'a refused connection whose Error comes from another realm (a vm context, as under Jest)',
      runInNewContext(
        `Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })`,
      ),
    ],
  ])('treats %s as unavailability', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(true);
  });

  it.each([
    ['a TypeError in a mapper', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation (23505)', queryFailed('23505')],
    [
      'a value too long for its column (22001)',
      queryFailed('22001', 'value too long for type character varying(64)'),
    ],
    ['a syntax error (42601)', queryFailed('42601')],
    ['a domain error', new DomainError('NOT_FOUND')],
    ['a thrown string', 'boom'],
  ])('treats %s as a bug, not unavailability', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(false);
  });
});

describe('isRedisUnavailable', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    ['a closed connection', new Error('Connection is closed.')],
    [
      'a command refused while offline',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a command timeout', new Error('Command timed out')],
    ['retries exhausted', named('MaxRetriesPerRequestError', 'Reached the max retries per request limit')],
    ['a cluster with no reachable node', named('ClusterAllFailedError', 'Failed to refresh slots cache.')],
    ['a cluster that is down', new ReplyError('CLUSTERDOWN The cluster is down')],
    ['a slot being migrated', new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot')],
    [
      'a replica that was just demoted',
      new ReplyError("READONLY You can't write against a read only replica."),
    ],
    ['a server loading its dataset', new ReplyError('LOADING Redis is loading the dataset in memory')],
    [
      'a slot moved mid-failover, past the client’s redirections',
      new ReplyError('MOVED 3999 127.0.0.1:7002'),
    ],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    [
      'an auto-pipelined command cut off by a dropped connection',
      named('AbortError', 'Command aborted due to connection close'),
    ],
    ['a cluster node that went away', new Error('Node is disconnected')],
    ['a cluster client that is disconnecting', new Error('Cluster is disconnecting.')],
    [
      'a reset socket whose Error comes from another realm (a vm context, as under Jest)',
      runInNewContext(`Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })`),
    ],
  ])('treats %s as unavailability', (_name, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([
    [
      'a Lua script error',
      new ReplyError('ERR Error running script (call to f_1234): @user_script:3: bad argument'),
    ],
    [
      'a wrong-type reply',
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
    ],
    ['a TypeError', new TypeError('x is not a function')],
    ['a JSON parse failure of a stored record', new SyntaxError('Unexpected token < in JSON at position 0')],
  ])('treats %s as a bug, not unavailability', (_name, error) => {
    expect(isRedisUnavailable(error)).toBe(false);
  });
});

describe('guardStore', () => {
  it('turns a connection failure into StoreUnavailable with its cause and a Retry-After', async () => {
    const cause = new Error('Connection is closed.');
    const thrown = await guardStore('redis', () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(StoreUnavailable);
    expect(thrown).toMatchObject({ code: 'SERVICE_UNAVAILABLE', store: 'redis', cause });
    expect((thrown as StoreUnavailable).headers).toEqual({ 'Retry-After': '1' });
  });

  it('lets a bug through unchanged, so that it becomes a logged 500', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'status')");
    await expect(guardStore('postgres', () => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('returns the value of a call that succeeds', async () => {
    await expect(guardStore('postgres', () => Promise.resolve(42))).resolves.toBe(42);
  });
});
