import { ProviderCatalog, RouteDefinition } from './catalog';

const ROUTE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}$/;
const ROUTE_KEYS = new Set([
  'id',
  'adapter',
  'enabled',
  'paymentMethods',
  'currencies',
  'countries',
  'limits',
  'fees',
  'priority',
  'options',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMinor(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function stringList(value: unknown, pattern: RegExp | null, where: string, problems: string[]): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${where} must be a non-empty array`);
    return [];
  }
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || (pattern && !pattern.test(item)))
      problems.push(`${where} has invalid entry ${JSON.stringify(item)}`);
    else out.push(item);
  }
  return out;
}

function parseRoute(raw: unknown, index: number, problems: string[]): RouteDefinition | null {
  const where = `providers[${index}]`;
  if (!isRecord(raw)) {
    problems.push(`${where} must be an object`);
    return null;
  }
  for (const key of Object.keys(raw))
    if (!ROUTE_KEYS.has(key)) problems.push(`${where}.${key} is not a known field`);
  const id = raw.id;
  if (typeof id !== 'string' || !ROUTE_ID.test(id)) problems.push(`${where}.id must match ${ROUTE_ID}`);
  if (typeof raw.adapter !== 'string' || raw.adapter.length === 0)
    problems.push(`${where}.adapter is required`);
  if (typeof raw.enabled !== 'boolean') problems.push(`${where}.enabled must be true or false`);
  const paymentMethods = stringList(raw.paymentMethods, /^[a-z0-9_-]+$/, `${where}.paymentMethods`, problems);
  const currencies = stringList(raw.currencies, CURRENCY, `${where}.currencies`, problems);
  const countries =
    raw.countries === undefined
      ? undefined
      : stringList(raw.countries, COUNTRY, `${where}.countries`, problems);
  let limits: RouteDefinition['limits'];
  if (raw.limits !== undefined) {
    if (!isRecord(raw.limits)) problems.push(`${where}.limits must be an object keyed by currency`);
    else {
      limits = {};
      for (const [currency, limit] of Object.entries(raw.limits)) {
        const minMinor = isRecord(limit) ? limit.minMinor : undefined;
        const maxMinor = isRecord(limit) ? limit.maxMinor : undefined;
        if (
          !CURRENCY.test(currency) ||
          !isRecord(limit) ||
          (minMinor !== undefined && !isMinor(minMinor)) ||
          (maxMinor !== undefined && !isMinor(maxMinor))
        ) {
          problems.push(`${where}.limits.${currency} must be {minMinor?, maxMinor?} in integer minor units`);
        } else {
          limits[currency] = {
            minMinor: minMinor as number | undefined,
            maxMinor: maxMinor as number | undefined,
          };
        }
      }
    }
  }
  let fees: RouteDefinition['fees'];
  if (raw.fees !== undefined) {
    const percent = isRecord(raw.fees) ? raw.fees.percent : undefined;
    const fixed = isRecord(raw.fees) ? raw.fees.fixedMinor : undefined;
    const percentOk =
      percent === undefined || (typeof percent === 'number' && percent >= 0 && percent <= 100);
    const fixedOk =
      fixed === undefined ||
      (isRecord(fixed) && Object.entries(fixed).every(([c, v]) => CURRENCY.test(c) && isMinor(v)));
    if (!isRecord(raw.fees) || !percentOk || !fixedOk) {
      problems.push(`${where}.fees must be {percent?: 0..100, fixedMinor?: {CUR: integer minor units}}`);
    } else {
      fees = {
        percent: percent as number | undefined,
        fixedMinor: fixed as Record<string, number> | undefined,
      };
    }
  }
  const priority = raw.priority;
  if (priority !== undefined && (typeof priority !== 'number' || priority < 0 || priority > 100)) {
    problems.push(`${where}.priority must be a number from 0 to 100`);
  }
  if (raw.options !== undefined && !isRecord(raw.options))
    problems.push(`${where}.options must be an object`);
  return {
    id: id as string,
    adapter: raw.adapter as string,
    enabled: raw.enabled as boolean,
    paymentMethods,
    currencies,
    countries,
    limits,
    fees,
    priority: priority as number | undefined,
    options: isRecord(raw.options) ? raw.options : {},
  };
}

/** Validates the catalog document `{"providers": [...]}`; throws naming every problem. */
export function parseCatalog(document: unknown): ProviderCatalog {
  const problems: string[] = [];
  if (!isRecord(document) || !Array.isArray(document.providers)) {
    throw new Error('provider catalog must be an object with a "providers" array');
  }
  const routes = document.providers
    .map((raw, index) => parseRoute(raw, index, problems))
    .filter((route): route is RouteDefinition => route !== null);
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.id)) problems.push(`route id "${route.id}" is used twice`);
    seen.add(route.id);
  }
  if (problems.length > 0) throw new Error(`invalid provider catalog:\n  - ${problems.join('\n  - ')}`);
  return { routes };
}
