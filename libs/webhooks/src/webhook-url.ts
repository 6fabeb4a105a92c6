import { isIP } from 'node:net';
import { classifyAddress, describeRefusedAddress } from './address-rules';

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type WebhookUrlRule = 'valid_url' | 'max_length' | 'https_only' | 'no_credentials' | 'public_address';

export interface WebhookUrlPolicy {
  /** https only (production). */
  requireHttps: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: local runs and tests deliver to loopback over plain http. */
  allowPrivateTargets: boolean;
}

export type WebhookUrlCheck = { ok: true; url: string } | { ok: false; rule: WebhookUrlRule; reason: string };

function refused(rule: WebhookUrlRule, reason: string): WebhookUrlCheck {
  return { ok: false, rule, reason };
}

/** The host of a parsed URL without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * The rules a webhook URL must meet when an endpoint is created or updated. The URL
 * parser has already turned decimal, octal and hex IPv4 spellings (2130706433,
 * 0177.0.0.1, 0x7f.1) into a dotted quad, so an IP literal is judged by its real value.
 * A host name is judged at delivery time, on the address actually connected to.
 */
export function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): WebhookUrlCheck {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return refused('max_length', `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused('valid_url', 'url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refused('valid_url', 'url must be an absolute http(s) URL');
  }
  if (url.username || url.password) {
    return refused('no_credentials', 'url must not carry credentials (user:password@)');
  }
  if (policy.allowPrivateTargets) return { ok: true, url: url.toString() };
  if (policy.requireHttps && url.protocol !== 'https:') {
    return refused('https_only', 'url must use https');
  }
  const host = urlHost(url);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return refused('public_address', `${host} is a loopback address`);
  }
  if (isIP(host)) {
    const kind = classifyAddress(host);
    if (kind) return refused('public_address', describeRefusedAddress(host, kind));
  }
  return { ok: true, url: url.toString() };
}
