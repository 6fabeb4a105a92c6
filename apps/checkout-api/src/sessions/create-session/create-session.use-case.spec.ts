import { Logger } from '@nestjs/common';
import { StoreUnavailable, toErrorResponse } from '@app/common';
import { RouteDefinition } from '@app/routing';
import { checkoutTestBed, TEST_ORDER, testRoute } from '../../testing/checkout-test-bed';
import { FakeProvider, providerFailure } from '../../testing/fake-providers';
import { CreateSessionCommand } from './create-session.command';
import { CreateSessionUseCase } from './create-session.use-case';
import { NoAvailableProvider, SessionCreator } from './session-creator';

const REPLAYED = { 'Idempotent-Replayed': 'true' };

function command(overrides: Partial<CreateSessionCommand> = {}): CreateSessionCommand {
  return {
    merchantId: 'merchant-1',
    idempotencyKey: 'key-1',
    fingerprint: 'fingerprint-1',
    requestId: 'request-1',
    orderReference: 'ORD-1',
    ...structuredClone(TEST_ORDER),
    ...overrides,
  };
}

/* r1 outranks r2 on priority alone: it is tried first, r2 is the failover. */
const TWO_ROUTES = [testRoute('r1', { priority: 90 }), testRoute('r2', { priority: 10 })];

function setup(routes: RouteDefinition[] = TWO_ROUTES) {
  const acme = new FakeProvider('acme');
  const bed = checkoutTestBed({ routes, providers: [acme] });
  const creator = new SessionCreator(bed.config, bed.sessions, bed.registry, bed.planner, bed.metrics);
  const useCase = new CreateSessionUseCase(bed.idempotency, creator, bed.metrics);
  return { ...bed, creation: acme.creation, useCase };
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (result) => {
      throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
    },
    (error: unknown) => error,
  );
}

beforeAll(() => Logger.overrideLogger(false));

describe('CreateSessionUseCase', () => {
  describe('idempotency', () => {
    it('creates one session with one provider call for a new key', async () => {
      const { useCase, creation, sessions } = setup();
      const result = await useCase.execute(command());

      const [stored] = sessions.all();
      expect(sessions.all()).toHaveLength(1);
      expect(result).toEqual({
        status: 201,
        headers: {},
        replayed: false,
        body: expect.objectContaining({
          sessionId: stored.id,
          status: 'PENDING',
          checkoutUrl: `https://checkout.test/checkout/${stored.id}`,
          routing: { selectedProvider: 'r1', score: stored.routingScore },
        }),
      });
      expect(creation.commands).toHaveLength(1);
      expect(creation.commands[0]).toMatchObject({
        sessionId: stored.id,
        totalMinor: 14076,
        currency: 'AUD',
      });
    });

    it('replays the first answer with Idempotent-Replayed: true and calls no provider again', async () => {
      const { useCase, creation, sessions } = setup();
      const first = await useCase.execute(command());
      const again = await useCase.execute(command());

      expect(again).toEqual({ ...first, headers: REPLAYED, replayed: true });
      expect(creation.commands).toHaveLength(1);
      expect(sessions.all()).toHaveLength(1);
    });

    it('replays the stored session when the idempotency record was lost', async () => {
      const { useCase, creation, idempotencyStore } = setup();
      const first = await useCase.execute(command());
      idempotencyStore.records.clear();

      const again = await useCase.execute(command());
      expect(again).toEqual({ ...first, headers: REPLAYED, replayed: true });
      expect(creation.commands).toHaveLength(1);
    });

    it.each([
      ['the idempotency record', false],
      ['only the stored session', true],
    ])(
      'answers 422 IDEMPOTENCY_KEY_MISMATCH to the key reused with another body, remembered by %s',
      async (_memory, recordLost) => {
        const { useCase, creation, idempotencyStore } = setup();
        await useCase.execute(command());
        if (recordLost) idempotencyStore.records.clear();

        const error = await failure(useCase.execute(command({ fingerprint: 'fingerprint-2' })));
        expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_MISMATCH' });
        expect(toErrorResponse(error).status).toBe(422);
        expect(creation.commands).toHaveLength(1);
      },
    );

    it('answers 409 IDEMPOTENCY_KEY_IN_USE with Retry-After while the first request is still running', async () => {
      const { useCase, creation } = setup();
      const held = creation.answers.holdNext();
      const first = useCase.execute(command());
      await held.arrived;

      const error = await failure(useCase.execute(command()));
      expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', headers: { 'Retry-After': '5' } });
      expect(toErrorResponse(error).status).toBe(409);

      held.release();
      await expect(first).resolves.toMatchObject({ status: 201, replayed: false });
      expect(creation.commands).toHaveLength(1);
    });

    it('settles a second run of the same key in Postgres: one session, and the later insert replays it', async () => {
      const { useCase, creation, idempotencyStore, sessions } = setup();
      const held = creation.answers.holdNext();
      const slow = useCase.execute(command());
      await held.arrived;
      // The claim lapsed (or Redis lost it) while the first run was still calling the provider.
      idempotencyStore.records.clear();
      const fast = await useCase.execute(command());

      held.release();
      const late = await slow;
      expect(fast).toMatchObject({ status: 201, replayed: false });
      expect(late).toEqual({ ...fast, headers: REPLAYED, replayed: true });
      expect(sessions.all()).toHaveLength(1);
    });
  });

  describe('routing and failover', () => {
    it('fails over to the next route on a retryable failure and records both attempts', async () => {
      const { useCase, creation, sessions, health } = setup();
      creation.answers.failOnce(providerFailure('server', 503, 'upstream_down'));

      const result = await useCase.execute(command());

      expect(result.body).toMatchObject({ routing: { selectedProvider: 'r2' } });
      expect(creation.commands.map((c) => c.route.id)).toEqual(['r1', 'r2']);
      expect(creation.commands[0].idempotencyKey).not.toBe(creation.commands[1].idempotencyKey);
      const [stored] = sessions.all();
      expect(await sessions.findAttempts(stored.id)).toEqual([
        expect.objectContaining({ attemptNo: 1, routeId: 'r1', outcome: 'server', providerStatus: 503 }),
        expect.objectContaining({ attemptNo: 2, routeId: 'r2', outcome: 'succeeded' }),
      ]);
      expect((await sessions.findAttempts(stored.id))[0].errorCode).toBe('upstream_down');
      expect(health.of('r1')).toMatchObject({ windowFailures: 1, consecutiveFailures: 1 });
      expect(health.of('r2')).toMatchObject({ windowSuccesses: 1 });
    });

    it('does not fail over a request the provider rejected (4xx), nor count it against the route', async () => {
      const { useCase, creation, sessions, health } = setup();
      creation.answers.failOnce(providerFailure('rejected', 400, 'invalid_amount'));

      const error = await failure(useCase.execute(command()));

      expect(error).toMatchObject({ code: 'PROVIDER_REJECTED' });
      expect(creation.commands.map((c) => c.route.id)).toEqual(['r1']);
      expect(await sessions.findAttempts(creation.commands[0].sessionId)).toEqual([
        expect.objectContaining({ routeId: 'r1', outcome: 'rejected', providerStatus: 400 }),
      ]);
      expect(sessions.all()).toHaveLength(0);
      expect(health.of('r1')).toMatchObject({ windowFailures: 0, consecutiveFailures: 0 });
    });

    it.each([
      ['timeout', 'PROVIDER_TIMEOUT'],
      ['server', 'PROVIDER_UNAVAILABLE'],
    ] as const)(
      'answers %s on every route with %s and lets a retry with the same key run again',
      async (kind, code) => {
        const { useCase, creation } = setup();
        creation.answers.failOnce(providerFailure(kind)).failOnce(providerFailure(kind));

        await expect(useCase.execute(command())).rejects.toMatchObject({ code });
        await expect(useCase.execute(command())).resolves.toMatchObject({ status: 201, replayed: false });
        expect(creation.commands.map((c) => c.route.id)).toEqual(['r1', 'r2', 'r1']);
      },
    );
  });

  describe('no available provider', () => {
    it.each([
      ['the currency', (_bed: ReturnType<typeof setup>) => command({ currency: 'EUR' })],
      [
        'an adapter rule',
        (bed: ReturnType<typeof setup>) => {
          bed.creation.ineligibility = () => 'redirect URLs required';
          return command();
        },
      ],
    ])('stores NO_AVAILABLE_PROVIDER decided by %s and replays it', async (_cause, prepare) => {
      const bed = setup();
      const plan = jest.spyOn(bed.planner, 'plan');
      const request = prepare(bed);

      const first = await bed.useCase.execute(request);
      const again = await bed.useCase.execute(request);

      expect(first).toMatchObject({ status: 422, replayed: false, body: { code: 'NO_AVAILABLE_PROVIDER' } });
      expect(again).toEqual({ ...first, headers: REPLAYED, replayed: true });
      expect(plan).toHaveBeenCalledTimes(1);
      expect(bed.creation.commands).toHaveLength(0);
    });

    it('releases NO_AVAILABLE_PROVIDER from an open circuit, and the same key succeeds once it closes (defect 1)', async () => {
      const { useCase, creation, health, idempotencyStore, config } = setup([testRoute('r1')]);
      health.put('r1', { windowFailures: 5, consecutiveFailures: 5, openedAt: Date.now() });

      const error = await failure(useCase.execute(command()));
      expect(error).toBeInstanceOf(NoAvailableProvider);
      expect(error).toMatchObject({ code: 'NO_AVAILABLE_PROVIDER', healthDependent: true });
      expect(idempotencyStore.records.size).toBe(0);

      // The cool-down has passed: the next request is the half-open probe, and it succeeds.
      health.put('r1', { ...health.of('r1'), openedAt: Date.now() - config.circuit.coolDownMs - 1 });
      await expect(useCase.execute(command())).resolves.toMatchObject({ status: 201, replayed: false });
      expect(creation.commands).toHaveLength(1);
      expect(health.of('r1').openedAt).toBeUndefined();
    });

    it('releases NO_AVAILABLE_PROVIDER when another request holds the half-open probe', async () => {
      const { useCase, creation, health, idempotencyStore, config } = setup([testRoute('r1')]);
      health.put('r1', { consecutiveFailures: 5, openedAt: Date.now() - config.circuit.coolDownMs - 1 });
      await health.acquireProbe('r1', 60_000);

      await expect(useCase.execute(command())).rejects.toMatchObject({
        code: 'NO_AVAILABLE_PROVIDER',
        healthDependent: true,
      });
      expect(idempotencyStore.records.size).toBe(0);
      expect(creation.commands).toHaveLength(0);
    });

    it('releases the key when one route is out for its health, even though the request rules out the others', async () => {
      const { useCase, health, idempotencyStore } = setup([
        testRoute('r1'),
        testRoute('r2', { currencies: ['USD'] }),
      ]);
      health.put('r1', { consecutiveFailures: 5, openedAt: Date.now() });

      await expect(useCase.execute(command())).rejects.toMatchObject({ code: 'NO_AVAILABLE_PROVIDER' });
      expect(idempotencyStore.records.size).toBe(0);
    });
  });

  describe('duplicate orders', () => {
    it('answers 409 DUPLICATE_ORDER to another key for a live order, and replays it', async () => {
      const { useCase, creation } = setup();
      const created = await useCase.execute(command());
      const other = command({ idempotencyKey: 'key-2', fingerprint: 'fingerprint-2' });

      const conflict = await useCase.execute(other);
      const again = await useCase.execute(other);

      expect(conflict).toMatchObject({
        status: 409,
        replayed: false,
        body: {
          code: 'DUPLICATE_ORDER',
          details: { sessionId: (created.body as { sessionId: string }).sessionId },
        },
      });
      expect(again).toEqual({ ...conflict, headers: REPLAYED, replayed: true });
      expect(creation.commands).toHaveLength(1);
    });

    it('lets only one of two keys racing for one order create a session; the other gets DUPLICATE_ORDER', async () => {
      const { useCase, creation, sessions } = setup();
      const firstHeld = creation.answers.holdNext();
      const secondHeld = creation.answers.holdNext();
      const first = useCase.execute(command());
      await firstHeld.arrived;
      const second = useCase.execute(command({ idempotencyKey: 'key-2', fingerprint: 'fingerprint-2' }));
      await secondHeld.arrived;

      firstHeld.release();
      secondHeld.release();
      const results = await Promise.all([first, second]);

      expect(results.map((r) => r.status)).toEqual([201, 409]);
      expect(results[1].body).toMatchObject({ code: 'DUPLICATE_ORDER' });
      expect(sessions.all()).toHaveLength(1);
    });
  });

  describe('store failures (defect 2)', () => {
    it('lets a bug in the repository escape as itself: a logged 500, never a 503', async () => {
      const { useCase, sessions, idempotencyStore } = setup();
      const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
      jest.spyOn(sessions, 'lookupForCreate').mockRejectedValueOnce(bug);

      const error = await failure(useCase.execute(command()));

      expect(error).toBe(bug);
      expect(toErrorResponse(error)).toMatchObject({
        status: 500,
        body: { code: 'INTERNAL_ERROR' },
        unexpected: true,
      });
      expect(idempotencyStore.records.size).toBe(0);
    });

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After when Postgres is unreachable, and a retry reuses the provider key', async () => {
      const { useCase, sessions, creation, idempotencyStore } = setup();
      const outage = new StoreUnavailable('postgres', new Error('Connection terminated unexpectedly'));
      jest.spyOn(sessions, 'insert').mockRejectedValueOnce(outage);

      const error = await failure(useCase.execute(command()));

      expect(error).toBe(outage);
      expect(toErrorResponse(error)).toMatchObject({
        status: 503,
        body: { code: 'SERVICE_UNAVAILABLE' },
        headers: { 'Retry-After': '1' },
        unexpected: false,
      });
      expect(idempotencyStore.records.size).toBe(0);
      await expect(useCase.execute(command())).resolves.toMatchObject({ status: 201 });
      // The provider sees the same idempotency key again, so it does not open a second session.
      expect(creation.commands[1].idempotencyKey).toBe(creation.commands[0].idempotencyKey);
    });

    it.each([
      ['is unreachable', new StoreUnavailable('redis', new Error('Connection is closed.'))],
      ['fails with a bug', new TypeError('health.record is broken')],
    ])('keeps a provider success when the route health store %s', async (_what, healthError) => {
      const { useCase, health, sessions, creation } = setup();
      jest.spyOn(health, 'record').mockRejectedValue(healthError);

      const result = await useCase.execute(command());

      expect(result).toMatchObject({ status: 201, replayed: false });
      expect(sessions.all()).toHaveLength(1);
      expect(sessions.all()[0].providerSessionId).toBe(`ps-r1-${creation.commands[0].sessionId}`);
    });
  });
});
