/* Two projects: fast unit specs beside the code, and e2e specs that need the
 * real Postgres, Redis and sandbox that scripts/run-tests.mjs provisions. */
/* ts-jest transpiles each file on its own (tsconfig isolatedModules): fast; type errors are
 * caught by `npm run typecheck` / the build rather than at test time. */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
const moduleNameMapper = {
  '^@app/money$': '<rootDir>/libs/money/src',
  '^@app/idempotency$': '<rootDir>/libs/idempotency/src',
  '^@app/routing$': '<rootDir>/libs/routing/src',
  '^@app/providers$': '<rootDir>/libs/providers/src',
  '^@app/providers/(.*)$': '<rootDir>/libs/providers/src/$1',
  '^@app/auth$': '<rootDir>/libs/auth/src',
  '^@app/common$': '<rootDir>/libs/common/src',
  '^@app/webhooks$': '<rootDir>/libs/webhooks/src',
};
const base = {
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e-spec\\.ts$'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/**/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/apps/checkout-api/test/support/jest-setup.ts'],
    },
  ],
};
