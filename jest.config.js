// Three tiers (see docs/architecture.md): unit specs beside the code, integration and end-to-end suites
// under test/; and the fault suites (test/resilience, docs/operations.md "Failure behaviour"). All run
// against a real PostgreSQL: TEST_DATABASE_URL, or an embedded server started once for the whole run by
// test/support/global-setup.ts (the database-restart suite also starts one of its own, which it stops).
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
// NestJS 12, Apollo, jose and a few small libraries ship ESM only; Jest on Node 20 must transform them.
// OpenTelemetry's OTLP exporter loads `http` with a dynamic import(), which Jest runs only when transformed.
const transformIgnorePatterns = [
  '/node_modules/(?!(@nestjs|@apollo|@as-integrations|jose|graphql|double-metaphone|nest-commander|uuid|canonicalize|oidc-provider|openid-client|oauth4webapi|@opentelemetry)/)',
];
const common = {
  transform,
  transformIgnorePatterns,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option: Jest ignores it inside `projects`. Suites start real servers and databases.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/modules/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'resilience', testMatch: ['<rootDir>/test/resilience/**/*.resilience-spec.ts'] },
  ],
};
