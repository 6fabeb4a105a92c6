import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './webhook-url';

const production = { requireHttps: true, allowPrivateTargets: false };
const development = { requireHttps: false, allowPrivateTargets: false };
const local = { requireHttps: true, allowPrivateTargets: true };

describe('checkWebhookUrl', () => {
  it('accepts a public https URL and returns it normalised', () => {
    expect(checkWebhookUrl('https://Shop.Example.com/hooks?x=1', production)).toEqual({
      ok: true,
      url: 'https://shop.example.com/hooks?x=1',
    });
  });

  it('refuses plain http in production, and allows it elsewhere', () => {
    expect(checkWebhookUrl('http://shop.example.com/hooks', production)).toMatchObject({
      ok: false,
      rule: 'https_only',
    });
    expect(checkWebhookUrl('http://shop.example.com/hooks', development)).toMatchObject({ ok: true });
  });

  it('refuses credentials in the URL, even with private targets allowed', () => {
    for (const policy of [production, local]) {
      expect(checkWebhookUrl('https://user:pw@shop.example.com/', policy)).toMatchObject({
        ok: false,
        rule: 'no_credentials',
      });
    }
  });

  it('refuses a URL longer than 2048 characters', () => {
    const url = `https://shop.example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`;
    expect(checkWebhookUrl(url, local)).toMatchObject({ ok: false, rule: 'max_length' });
  });

  it.each(['not a url', 'ftp://shop.example.com/', '/relative/path', 'javascript:alert(1)'])(
    'refuses %j as not an http(s) URL',
    (url) => {
      expect(checkWebhookUrl(url, development)).toMatchObject({ ok: false, rule: 'valid_url' });
    },
  );

  it.each([
    ['https://127.0.0.1/hook', '127.0.0.1 is a loopback address'],
    ['https://2130706433/hook', '127.0.0.1 is a loopback address'],
    ['https://0177.0.0.1/hook', '127.0.0.1 is a loopback address'],
    ['https://0x7f.1/hook', '127.0.0.1 is a loopback address'],
    ['https://[::1]/hook', '::1 is a loopback address'],
    ['https://[::ffff:127.0.0.1]/hook', 'is a loopback address'],
    ['https://[::ffff:169.254.169.254]/hook', 'is a cloud-metadata address'],
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 is a cloud-metadata address'],
    ['https://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud-metadata address'],
    ['https://10.0.0.8/hook', '10.0.0.8 is a private address'],
    ['https://100.64.1.1/hook', '100.64.1.1 is a cgnat address'],
    ['https://[fc00::5]/hook', 'fc00::5 is a unique-local address'],
    ['https://0.0.0.0/hook', '0.0.0.0 is a this-network address'],
    ['https://localhost/hook', 'localhost is a loopback address'],
    ['https://api.localhost/hook', 'api.localhost is a loopback address'],
  ])('refuses %s under the public-address rule', (url, reason) => {
    const check = checkWebhookUrl(url, production);
    expect(check).toMatchObject({ ok: false, rule: 'public_address' });
    expect(check.ok === false && check.reason).toContain(reason);
  });

  it('lets WEBHOOK_ALLOW_PRIVATE_TARGETS through to loopback over http', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', local)).toEqual({
      ok: true,
      url: 'http://127.0.0.1:4000/hook',
    });
  });

  it('leaves host names to the delivery-time check', () => {
    expect(checkWebhookUrl('https://internal.example/hook', production)).toMatchObject({ ok: true });
  });
});
