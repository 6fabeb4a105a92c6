export * from './jwt-verifier';
export * from './merchant-auth.guard';
export * from './merchant.decorator';
