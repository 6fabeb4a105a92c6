import { formatMinorAsDecimalString } from '@app/money';
import { HostedFields } from '@app/providers';
import { Session } from '../../sessions/domain/session';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

function toBcp47(locale?: string): string {
  try {
    return Intl.getCanonicalLocales((locale ?? 'en').replace('_', '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** Money for display: the exact decimal string in the session's locale and currency (no float on the way). */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const decimal = formatMinorAsDecimalString(minor, currency);
  // Intl.NumberFormat formats a decimal string exactly.
  return new Intl.NumberFormat(toBcp47(locale), { style: 'currency', currency }).format(
    decimal as unknown as number,
  );
}

function layout(title: string, body: string, locale?: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(toBcp47(locale))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/checkout/assets/checkout.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/** Where the page loads the provider's fields script from (our origin). */
export function fieldsScriptPath(adapterKind: string): string {
  return `/checkout/assets/fields/${encodeURIComponent(adapterKind)}.js`;
}

export function checkoutPage(
  session: Session,
  fields: HostedFields,
  payUrl: string,
  fieldsScriptUrl: string,
): string {
  const money = (minor: number) => escapeHtml(formatMoney(minor, session.currency, session.locale));
  const items = session.items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)}${item.quantity > 1 ? ` <span class="muted">× ${item.quantity}</span>` : ''}</td>` +
        `<td class="amount">${money(item.unitPriceMinor * item.quantity)}</td></tr>`,
    )
    .join('\n');
  const data = Object.entries({ ...fields.attributes, payUrl, expiresAt: session.expiresAt.toISOString() })
    .map(
      ([key, value]) => `data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${escapeHtml(value)}"`,
    )
    .join(' ');
  return layout(
    'Checkout',
    `<section class="card" aria-labelledby="summary-title">
  <h1 id="summary-title">Order summary</h1>
  <p class="muted">Order <strong id="order-reference">${escapeHtml(session.orderReference)}</strong></p>
  <table>
    <caption class="muted caption">Items</caption>
    <thead><tr><th scope="col">Item</th><th scope="col" class="amount">Amount</th></tr></thead>
    <tbody>
${items}
      <tr><td>Shipping</td><td class="amount" id="shipping">${money(session.shippingMinor)}</td></tr>
      <tr><td>Tax</td><td class="amount" id="tax">${money(session.taxMinor)}</td></tr>
    </tbody>
    <tfoot><tr><th scope="row">Total</th><td class="amount" id="total">${money(session.totalMinor)}</td></tr></tfoot>
  </table>
  <p class="muted">Time left to pay: <span id="time-left" aria-live="off">—</span></p>
</section>
<section class="card" aria-labelledby="pay-title">
  <h2 id="pay-title">Pay by card</h2>
  <form id="checkout-form" ${data} novalidate>
    <label for="cc-number-input" id="cc-number-label">Card number</label>
    <div id="cc-number" class="field"></div>
    <div class="row">
      <div><label for="cc-expiry-date-input">Expiry date</label><div id="cc-expiry-date" class="field"></div></div>
      <div><label for="cc-security-code-input">Security code</label><div id="cc-security-code" class="field"></div></div>
    </div>
    <button type="submit" id="pay-button">Pay ${money(session.totalMinor)}</button>
    <p id="status" role="status" aria-live="polite"></p>
  </form>
</section>
<script src="${escapeHtml(fields.scriptUrl)}"></script>
<script src="/checkout/assets/checkout.js"></script>
<script src="${escapeHtml(fieldsScriptUrl)}"></script>`,
    session.locale,
  );
}

export function noticePage(title: string, message: string, locale?: string): string {
  return layout(
    title,
    `<section class="card notice" role="alert"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></section>`,
    locale,
  );
}

/** Only what the page needs: its own assets and the provider's fields. */
export function contentSecurityPolicy(fields?: HostedFields): string {
  const scripts = ["'self'", ...(fields?.scriptOrigins ?? [])].join(' ');
  const connect = ["'self'", ...(fields?.connectOrigins ?? [])].join(' ');
  const frames = fields?.frameOrigins.length ? fields.frameOrigins.join(' ') : "'none'";
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    "style-src 'self'",
    `connect-src ${connect}`,
    `frame-src ${frames}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
