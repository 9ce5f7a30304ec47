import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

// jose 6 ships ES modules only. Node ≥ 20.19 loads them through require() (engines in package.json),
// and Jest compiles them (jest.config.js); TypeScript's node16 mode would refuse a static import here.
export const jose = require('jose') as typeof Jose;

export type { JWK, KeyObject, CryptoKey, JSONWebKeySet } from 'jose' with { 'resolution-mode': 'import' };
