import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { effectiveStatus } from '../../sessions/domain/session';
import { ProviderRegistry } from '../../providers/provider-registry';
import { CheckoutSessionLoader } from '../checkout-session.loader';
import { CHECKOUT_CSS, CHECKOUT_JS } from './checkout-page.assets';
import { checkoutPage, contentSecurityPolicy, fieldsScriptPath, noticePage } from './checkout-page.view';

const NOTICES: Record<string, { status: number; title: string; message: string }> = {
  unknown: { status: 404, title: 'Checkout not found', message: 'This checkout link is not valid.' },
  EXPIRED: {
    status: 410,
    title: 'Checkout expired',
    message: 'This checkout has expired. Please return to the store to start again.',
  },
  CANCELLED: { status: 410, title: 'Checkout cancelled', message: 'This checkout was cancelled.' },
  COMPLETED: { status: 409, title: 'Already paid', message: 'This order has been paid. Thank you.' },
  FAILED: {
    status: 409,
    title: 'Payment failed',
    message: 'The payment for this checkout failed. Please return to the store to try again.',
  },
};

/** The buyer-facing hosted checkout page, for routes whose provider has no page of its own. */
@ApiExcludeController()
@Controller('checkout')
export class CheckoutPageController {
  constructor(
    private readonly loader: CheckoutSessionLoader,
    private readonly providers: ProviderRegistry,
  ) {}

  @Get('assets/checkout.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  css(): string {
    return CHECKOUT_CSS;
  }

  @Get('assets/checkout.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  js(): string {
    return CHECKOUT_JS;
  }

  /** The provider's half of the page: mounts its card fields (each adapter that pays on our page has one). */
  @Get('assets/fields/:file')
  fieldsScript(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const adapter = /^([a-z0-9-]+)\.js$/.exec(file)?.[1];
    const script = adapter && this.providers.flow(adapter, 'hostedPayment')?.fieldsScript;
    if (!script) return this.notice(reply, 'unknown');
    void reply
      .status(200)
      .header('Content-Type', 'application/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=300')
      .send(script);
  }

  @Get(':sessionId')
  async page(@Param('sessionId') sessionId: string, @Res() reply: FastifyReply): Promise<void> {
    const context = await this.loader.load(sessionId);
    const fields =
      context?.route && context.hostedPayment?.hostedFields(context.route, context.session.providerSessionId);
    if (!context?.route || !fields) return this.notice(reply, 'unknown');
    const { session } = context;
    const status = effectiveStatus(session, new Date());
    if (status !== 'PENDING') return this.notice(reply, status, session.locale);
    void reply
      .status(200)
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Security-Policy', contentSecurityPolicy(fields))
      .send(
        checkoutPage(session, fields, `/checkout/${session.id}/pay`, fieldsScriptPath(context.route.adapter)),
      );
  }

  private notice(reply: FastifyReply, key: string, locale?: string): void {
    const notice = NOTICES[key] ?? NOTICES.unknown;
    void reply
      .status(notice.status)
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Security-Policy', contentSecurityPolicy())
      .send(noticePage(notice.title, notice.message, locale));
  }
}
