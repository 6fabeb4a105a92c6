import { Module } from '@nestjs/common';
import { JwtVerifier, MerchantAuthGuard } from '@app/auth';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Merchant authentication for every feature: the verifier built from config, and the guard. */
@Module({
  providers: [
    {
      provide: JwtVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new JwtVerifier({
          secret: config.auth.jwtSecret,
          jwksUrl: config.auth.jwksUrl,
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          clockToleranceSeconds: config.auth.clockToleranceSeconds,
        }),
    },
    MerchantAuthGuard,
  ],
  exports: [JwtVerifier, MerchantAuthGuard],
})
export class AuthModule {}
