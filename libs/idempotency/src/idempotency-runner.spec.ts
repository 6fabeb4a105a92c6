import { DomainError, StoreUnavailable } from '@app/common';
import {
  IdempotencyObserver,
  IdempotencyOutcome,
  IdempotencyRunner,
  IdempotentRequest,
} from './idempotency-runner';
import { InMemoryIdempotencyStore } from './in-memory-idempotency.store';

const request: IdempotentRequest = {
  operation: 'test_operation',
  scope: 'merchant-1',
  key: 'key-1',
  fingerprint: 'fp-1',
  inProgressReason: 'still running',
};

function setup() {
  let now = 1_000_000;
  const store = new InMemoryIdempotencyStore(() => now);
  const outcomes: IdempotencyOutcome[] = [];
  const warnings: string[] = [];
  const observer: IdempotencyObserver = {
    outcome: (o) => outcomes.push(o),
    warn: (message) => warnings.push(message),
  };
  const runner = new IdempotencyRunner(store, { leaseMs: 30_000, ttlSeconds: 3600 }, observer);
  return { store, runner, outcomes, warnings, advance: (ms: number) => (now += ms) };
}

const ok = { status: 201, headers: {}, body: { id: 'a' } };

describe('IdempotencyRunner', () => {
  it('runs once and replays the first answer to a retry with the same key and body', async () => {
    const { runner, outcomes } = setup();
    const execute = jest.fn().mockResolvedValue(ok);
    const first = await runner.run(request, { execute, isFinal: () => false });
    const again = await runner.run(request, { execute, isFinal: () => false });
    expect(execute).toHaveBeenCalledTimes(1);
    expect(first).toEqual({ ...ok, replayed: false });
    expect(again).toEqual({ ...ok, replayed: true });
    expect(outcomes).toEqual(['new', 'replay']);
  });

  it('answers 422 to the same key with another body, without running', async () => {
    const { runner } = setup();
    await runner.run(request, { execute: async () => ok, isFinal: () => false });
    const execute = jest.fn();
    await expect(
      runner.run({ ...request, fingerprint: 'fp-2' }, { execute, isFinal: () => false }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_MISMATCH' });
    expect(execute).not.toHaveBeenCalled();
  });

  it('answers 409 with a Retry-After between 1 and 5 seconds while the first run holds the key', async () => {
    const { runner } = setup();
    let finish: (value: typeof ok) => void = () => undefined;
    const running = runner.run(request, {
      execute: () => new Promise((resolve) => (finish = resolve)),
      isFinal: () => false,
    });
    const conflict = await runner
      .run(request, { execute: async () => ok, isFinal: () => false })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(DomainError);
    expect(conflict).toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_USE',
      details: { reason: 'still running' },
      headers: { 'Retry-After': '5' },
    });
    finish(ok);
    await running;
  });

  it('stores a final error and replays it without running again', async () => {
    const { runner } = setup();
    const execute = jest.fn().mockRejectedValue(new DomainError('DUPLICATE_ORDER', { sessionId: 's' }));
    const first = await runner.run(request, { execute, isFinal: () => true });
    const again = await runner.run(request, { execute, isFinal: () => true });
    expect(execute).toHaveBeenCalledTimes(1);
    expect(first).toMatchObject({ status: 409, body: { code: 'DUPLICATE_ORDER' }, replayed: false });
    expect(again).toMatchObject({ status: 409, body: { code: 'DUPLICATE_ORDER' }, replayed: true });
  });

  it('releases the claim on a transient error, so that a retry runs again', async () => {
    const { runner, outcomes } = setup();
    const execute = jest
      .fn()
      .mockRejectedValueOnce(new DomainError('PROVIDER_UNAVAILABLE'))
      .mockResolvedValueOnce(ok);
    await expect(runner.run(request, { execute, isFinal: () => false })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
    await expect(runner.run(request, { execute, isFinal: () => false })).resolves.toMatchObject({
      status: 201,
    });
    expect(execute).toHaveBeenCalledTimes(2);
    expect(outcomes).toEqual(['new', 'released', 'new']);
  });

  it('reports an execution replayed from the durable store as replayed, and stores it', async () => {
    const { runner } = setup();
    const first = await runner.run(request, {
      execute: async () => ({ ...ok, replayed: true }),
      isFinal: () => false,
    });
    expect(first).toEqual({ ...ok, replayed: true });
    const again = await runner.run(request, { execute: jest.fn(), isFinal: () => false });
    expect(again).toEqual({ ...ok, replayed: true });
  });

  it('fails closed with StoreUnavailable when the store cannot claim, without running', async () => {
    const { runner, store } = setup();
    jest
      .spyOn(store, 'claim')
      .mockRejectedValue(new StoreUnavailable('redis', new Error('Connection is closed.')));
    const execute = jest.fn();
    await expect(runner.run(request, { execute, isFinal: () => false })).rejects.toBeInstanceOf(
      StoreUnavailable,
    );
    expect(execute).not.toHaveBeenCalled();
  });

  it('still answers when the completed answer cannot be stored, and warns', async () => {
    const { runner, store, warnings } = setup();
    jest.spyOn(store, 'complete').mockRejectedValue(new Error('Connection is closed.'));
    await expect(
      runner.run(request, { execute: async () => ok, isFinal: () => false }),
    ).resolves.toMatchObject({
      status: 201,
    });
    expect(warnings).toEqual(['could not store the idempotent response']);
  });

  it('warns when the claim cannot be released, and rethrows the original error', async () => {
    const { runner, store, warnings } = setup();
    jest.spyOn(store, 'release').mockRejectedValue(new Error('Connection is closed.'));
    const failure = new DomainError('PROVIDER_TIMEOUT');
    await expect(
      runner.run(request, { execute: () => Promise.reject(failure), isFinal: () => false }),
    ).rejects.toBe(failure);
    expect(warnings).toEqual(['could not release the idempotency claim']);
  });

  it('keeps keys of different scopes apart', async () => {
    const { runner } = setup();
    const execute = jest.fn().mockResolvedValue(ok);
    await runner.run(request, { execute, isFinal: () => false });
    await runner.run({ ...request, scope: 'merchant-2' }, { execute, isFinal: () => false });
    expect(execute).toHaveBeenCalledTimes(2);
  });

  it('lets a retry run once the lease of a crashed run has lapsed', async () => {
    const { runner, advance } = setup();
    void runner.run(request, { execute: () => new Promise(() => undefined), isFinal: () => false });
    await Promise.resolve();
    advance(30_001);
    await expect(
      runner.run(request, { execute: async () => ok, isFinal: () => false }),
    ).resolves.toMatchObject({
      replayed: false,
    });
  });
});
