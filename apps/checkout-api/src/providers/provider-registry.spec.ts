import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaymentProvider, ProviderFlows, SessionCreationFlow } from '@app/providers';
import { loadRouteCatalog } from '../routing/route-catalog';
import { ProviderRegistry } from './provider-registry';

function creation(checkoutPage: 'hosted' | 'provider'): SessionCreationFlow {
  return {
    checkoutPage,
    createSession: jest.fn(),
    ineligibilityReason: () => null,
  };
}

/* Capture, void and refund: every route needs them. */
function money(): Pick<ProviderFlows, 'capture' | 'void' | 'refund'> {
  return {
    capture: { capture: jest.fn() },
    void: { voidAuthorization: jest.fn() },
    refund: { refund: jest.fn() },
  };
}

function adapter(kind: string, flows: ProviderFlows): PaymentProvider {
  return {
    kind,
    flows,
    validateRouteOptions: () => undefined,
    close: async () => undefined,
  };
}

function catalogFile(adapterKind: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  const path = join(dir, 'providers.json');
  writeFileSync(
    path,
    JSON.stringify({
      providers: [
        { id: 'r1', adapter: adapterKind, enabled: true, paymentMethods: ['card'], currencies: ['AUD'] },
      ],
    }),
  );
  return path;
}

describe('ProviderRegistry', () => {
  it('finds a flow by adapter kind and flow name', () => {
    const flows = { createSession: creation('provider') };
    const registry = new ProviderRegistry([adapter('acme', flows)]);
    expect(registry.flow('acme', 'createSession')).toBe(flows.createSession);
    expect(registry.flow('acme', 'hostedPayment')).toBeUndefined();
    expect(registry.flow('unknown', 'createSession')).toBeUndefined();
  });

  it('asks a route paid on our hosted page for the hosted payment, the transaction read and the webhook', () => {
    const registry = new ProviderRegistry([
      adapter('acme', { createSession: creation('hosted'), ...money() }),
    ]);
    expect(registry.missingFlows('acme')).toEqual(['hostedPayment', 'transactionRead', 'webhook']);
  });

  it('asks every route for capture, void and refund', () => {
    const registry = new ProviderRegistry([adapter('acme', { createSession: creation('provider') })]);
    expect(registry.missingFlows('acme')).toEqual(['capture', 'void', 'refund']);
  });

  it('refuses at start a route whose adapter lacks a flow the route needs', () => {
    const registry = new ProviderRegistry([
      adapter('acme', { createSession: creation('hosted'), ...money() }),
    ]);
    expect(() => loadRouteCatalog(catalogFile('acme'), registry)).toThrow(
      'route "r1" needs the hostedPayment, transactionRead, webhook flow(s), which adapter "acme" does not implement',
    );
  });

  it('accepts a route whose adapter has every flow it needs', () => {
    const registry = new ProviderRegistry([
      adapter('acme', { createSession: creation('provider'), ...money() }),
    ]);
    expect(loadRouteCatalog(catalogFile('acme'), registry).routes.map((r) => r.id)).toEqual(['r1']);
  });
});
