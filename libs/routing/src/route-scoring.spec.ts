import { RouteDefinition } from './catalog';
import {
  decideRoutes,
  feeMinor,
  RoutingRequest,
  RouteStats,
  scoreFactors,
  scoreOf,
  SCORE_WEIGHTS,
} from './route-scoring';

const route = (id: string, overrides: Partial<RouteDefinition> = {}): RouteDefinition => ({
  id,
  adapter: 'gr4vy',
  enabled: true,
  paymentMethods: ['card'],
  currencies: ['AUD', 'USD'],
  options: {},
  ...overrides,
});
const request: RoutingRequest = {
  paymentMethod: 'card',
  currency: 'AUD',
  country: 'AU',
  amountMinor: 10_000,
};
const decide = (
  routes: RouteDefinition[],
  stats = new Map<string, RouteStats>(),
  circuits = new Map<string, 'closed' | 'open' | 'half_open'>(),
  req = request,
) => decideRoutes({ request: req, routes, stats, circuits });

describe('eligibility', () => {
  it.each([
    ['disabled', route('r', { enabled: false }), 'route disabled'],
    ['method', route('r', { paymentMethods: ['paypal'] }), 'payment method card not supported'],
    ['currency', route('r', { currencies: ['USD'] }), 'currency AUD not supported'],
    ['country', route('r', { countries: ['NZ'] }), 'country AU not supported'],
    ['minimum', route('r', { limits: { AUD: { minMinor: 20_000 } } }), 'amount below route minimum 20000'],
    ['maximum', route('r', { limits: { AUD: { maxMinor: 5_000 } } }), 'amount above route maximum 5000'],
  ])('excludes a route by %s with its reason', (_name, r, reason) => {
    const decision = decide([r]);
    expect(decision.candidates).toEqual([]);
    expect(decision.excluded).toEqual([
      { routeId: 'r', adapter: 'gr4vy', eligible: false, reason, cause: 'request' },
    ]);
  });

  it('excludes a route whose circuit is open, as a health-dependent exclusion, but not a half-open one', () => {
    expect(decide([route('r')], new Map(), new Map([['r', 'open']])).excluded[0]).toMatchObject({
      reason: 'circuit open',
      cause: 'health',
    });
    expect(decide([route('r')], new Map(), new Map([['r', 'half_open']])).candidates).toHaveLength(1);
  });

  it('gives the request-decided reason of a route that is also open-circuited, so that it stays final', () => {
    const excluded = decide(
      [route('r', { currencies: ['USD'] })],
      new Map(),
      new Map([['r', 'open']]),
    ).excluded;
    expect(excluded[0]).toMatchObject({ reason: 'currency AUD not supported', cause: 'request' });
  });

  it('needs a billing country only for routes restricted by country', () => {
    const noCountry = { ...request, country: undefined };
    expect(decide([route('any')], new Map(), new Map(), noCountry).candidates).toHaveLength(1);
    expect(
      decide([route('au', { countries: ['AU'] })], new Map(), new Map(), noCountry).excluded[0].reason,
    ).toBe('billing country required by route');
  });

  it('asks the adapter for its own reasons', () => {
    const decision = decideRoutes({
      request,
      routes: [route('r')],
      stats: new Map(),
      circuits: new Map(),
      adapterIneligibility: () => 'redirect URLs required',
    });
    expect(decision.excluded[0].reason).toBe('redirect URLs required');
  });
});

describe('scoring', () => {
  it('gives a new route the prior: 90% success, prior latency, no fee, default priority', () => {
    const factors = scoreFactors(route('r'), request);
    expect(factors).toEqual({ successRate: 0.9, latency: 0.85, fee: 1, priority: 0.5 });
    expect(scoreOf(factors)).toBe(Math.round((0.5 * 0.9 + 0.2 * 0.85 + 0.2 * 1 + 0.1 * 0.5) * 1000) / 10);
  });

  it('has weights that sum to one, so scores stay within 0..100', () => {
    expect(Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(scoreOf({ successRate: 1, latency: 1, fee: 1, priority: 1 })).toBe(100);
    expect(scoreOf({ successRate: 0, latency: 0, fee: 0, priority: 0 })).toBe(0);
  });

  it('keeps a new route from being starved by one early failure', () => {
    const oneFailure = scoreFactors(route('r'), request, { successes: 0, failures: 1 });
    expect(oneFailure.successRate).toBeCloseTo(9 / 11, 10);
  });

  it('ranks a healthier route above a failing one', () => {
    const stats = new Map<string, RouteStats>([
      ['bad', { successes: 10, failures: 30, latencyEwmaMs: 200 }],
      ['good', { successes: 40, failures: 0, latencyEwmaMs: 200 }],
    ]);
    expect(decide([route('bad'), route('good')], stats).candidates.map((c) => c.routeId)).toEqual([
      'good',
      'bad',
    ]);
  });

  it('ranks a faster route above a slower one, and a cheaper above a dearer one', () => {
    const latency = new Map<string, RouteStats>([
      ['slow', { successes: 10, failures: 0, latencyEwmaMs: 1500 }],
      ['fast', { successes: 10, failures: 0, latencyEwmaMs: 100 }],
    ]);
    expect(decide([route('slow'), route('fast')], latency).candidates[0].routeId).toBe('fast');
    const cheap = route('cheap', { fees: { percent: 1 } });
    const dear = route('dear', { fees: { percent: 3, fixedMinor: { AUD: 30 } } });
    expect(decide([dear, cheap]).candidates[0].routeId).toBe('cheap');
  });

  it('breaks ties by priority, then by catalog order, stably', () => {
    expect(decide([route('a'), route('b')]).candidates.map((c) => c.routeId)).toEqual(['a', 'b']);
    expect(decide([route('b'), route('a')]).candidates.map((c) => c.routeId)).toEqual(['b', 'a']);
    const decision = decide([route('low', { priority: 50 }), route('high', { priority: 51 })]);
    expect(decision.candidates[0].routeId).toBe('high');
  });

  it('gives equal inputs equal results', () => {
    const routes = [route('a', { fees: { percent: 2 } }), route('b', { priority: 70 })];
    expect(decide(routes)).toEqual(decide(routes));
  });
});

describe('feeMinor', () => {
  it('computes percent plus fixed fee in integer minor units, rounding half up', () => {
    expect(feeMinor(route('r', { fees: { percent: 2.9, fixedMinor: { AUD: 30 } } }), request)).toBe(320);
    expect(feeMinor(route('r', { fees: { percent: 1.5 } }), { ...request, amountMinor: 333 })).toBe(5);
    expect(feeMinor(route('r'), request)).toBe(0);
  });
});
