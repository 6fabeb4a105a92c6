import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CaptureFlow,
  PaymentProvider,
  ProviderFlows,
  RefundFlow,
  SessionCancelFlow,
  SessionCreationFlow,
  SessionStatusReadFlow,
  VoidFlow,
  WebhookFlow,
} from '@app/providers';
import { Gr4vyProvider } from '@app/providers/gr4vy';
import { StripeProvider } from '@app/providers/stripe';
import { loadRouteCatalog } from '../routing/route-catalog';
import { ProviderRegistry } from './provider-registry';

function creation(checkoutPage: 'hosted' | 'provider'): SessionCreationFlow {
  return {
    checkoutPage,
    createSession: jest.fn(),
    ineligibilityReason: () => null,
  };
}

/** The flows every route needs besides creation, as stubs. */
function lifecycleFlows(): {
  webhook: WebhookFlow;
  sessionRead: SessionStatusReadFlow;
  cancel: SessionCancelFlow;
  capture: CaptureFlow;
  void: VoidFlow;
  refund: RefundFlow;
} {
  return {
    webhook: { verifyWebhook: jest.fn() },
    sessionRead: { readSession: jest.fn() },
    cancel: { cancelSession: jest.fn() },
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

  it('asks every route for the webhook, the session read, the cancel, the capture, the void and the refund: each can settle, be reconciled, be cancelled and move the money it took', () => {
    const registry = new ProviderRegistry([adapter('acme', { createSession: creation('provider') })]);
    expect(registry.missingFlows('acme')).toEqual([
      'webhook',
      'sessionRead',
      'cancel',
      'capture',
      'void',
      'refund',
    ]);
  });

  it('asks a route paid on our hosted page for the hosted payment and the transaction read too', () => {
    const registry = new ProviderRegistry([adapter('acme', { createSession: creation('hosted') })]);
    expect(registry.missingFlows('acme')).toEqual([
      'webhook',
      'sessionRead',
      'cancel',
      'capture',
      'void',
      'refund',
      'hostedPayment',
      'transactionRead',
    ]);
    const lifecycle = { createSession: creation('hosted'), ...lifecycleFlows() };
    expect(new ProviderRegistry([adapter('acme', lifecycle)]).missingFlows('acme')).toEqual([
      'hostedPayment',
      'transactionRead',
    ]);
  });

  it('refuses at start a route whose adapter lacks a flow the route needs', () => {
    const registry = new ProviderRegistry([adapter('acme', { createSession: creation('provider') })]);
    expect(() => loadRouteCatalog(catalogFile('acme'), registry)).toThrow(
      'route "r1" needs the webhook, sessionRead, cancel, capture, void, refund flow(s), which adapter "acme" does not implement',
    );
  });

  it('accepts a route whose adapter has every flow it needs', () => {
    const registry = new ProviderRegistry([
      adapter('acme', { createSession: creation('provider'), ...lifecycleFlows() }),
    ]);
    expect(loadRouteCatalog(catalogFile('acme'), registry).routes.map((r) => r.id)).toEqual(['r1']);
  });

  it('finds every flow a route needs on both real adapters', () => {
    const privateKeyPem = generateKeyPairSync('ec', { namedCurve: 'secp521r1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const registry = new ProviderRegistry([
      new Gr4vyProvider({ gr4vyId: 'acme', environment: 'sandbox', privateKeyPem }),
      new StripeProvider({ secretKeys: {}, defaultSecretKey: 'sk_test_registry' }),
    ]);
    expect(registry.missingFlows('gr4vy')).toEqual([]);
    expect(registry.missingFlows('stripe')).toEqual([]);
  });
});
