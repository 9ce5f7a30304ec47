import { createHash } from 'node:crypto';
import { Response } from 'express';

/** What a page may load beyond its own origin and its own inline scripts (by hash). */
export interface PagePolicy {
  /** The exact text of each inline <script> the page carries; anything else inline is blocked. */
  inlineScripts: readonly string[];
  /** Origins the page may call besides its own (an OpenID issuer for the console's sign-in). */
  connectTo?: readonly string[];
  /** Inline style attributes and <style> elements: GraphiQL's editor (Monaco) writes them at run time. */
  inlineStyles?: boolean;
}

/** The inline <script> bodies of an HTML page, as the browser hashes them for CSP. */
export function inlineScriptsOf(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
}

/**
 * The headers every HTML page of ours (the console, the playground) is served with: a CSP with no
 * inline script except the page's own by hash, no framing by any site (clickjacking), no MIME
 * sniffing, no Referer leaving with a URL, and no reading by another origin's page: the playground
 * carries a development token, and CORS must never hand that to a page on another local port.
 */
export function setPageSecurityHeaders(res: Response, policy: PagePolicy): void {
  const hashes = policy.inlineScripts.map((script) => `'sha256-${sha256(script)}'`);
  const connect = ["'self'", ...(policy.connectTo ?? [])];
  const directives = [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    `style-src 'self'${policy.inlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  res.set({
    'Content-Security-Policy': directives.join('; '),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  // The CORS middleware runs first on /graphql; an HTML page is never for another origin to read.
  res.removeHeader('Access-Control-Allow-Origin');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}
