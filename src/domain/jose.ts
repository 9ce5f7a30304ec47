import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

/**
 * jose 6 is published as ES modules only. The server's CommonJS output loads it with `require`,
 * which Node runs for ES modules since 20.19 / 22.12 (package.json's `engines`); jest transforms it
 * to CommonJS (jest.config.js). A dynamic `import()` would make every verification async at the
 * first call site and cannot run inside jest's module sandbox.
 */
export const jose = require('jose') as typeof Jose;

export type { Jose };

export type { CryptoKey, JSONWebKeySet, JWK } from 'jose' with { 'resolution-mode': 'import' };
