import http from 'node:http';
import https from 'node:https';
import { LookupFunction } from 'node:net';
import { ResolvedAddress, safeAddress } from './ssrf-guard';

/** How one attempt ended: the HTTP status when an answer came, else why not. */
export interface AttemptResult {
  status: number | null;
  error: string | null;
}

/** A 2xx answer delivers; anything else (a redirect too: it is never followed) is a failed attempt. */
export function delivered(result: AttemptResult): boolean {
  return result.status !== null && result.status >= 200 && result.status < 300;
}

// Connections are kept between attempts: a burst to many endpoints of one receiver reuses them.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** Pins the connection to the address the guard checked, whatever DNS answers a moment later. */
function pinnedLookup(address: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
}

/** The answer's body is not read beyond this; a receiver has nothing to tell us but its status. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one signed webhook: the host is resolved and checked (ssrf-guard.ts), the connection goes
 * to the checked address (TLS still verifies the name), redirects are not followed, and the whole
 * attempt, connection to last byte, ends after `timeoutMs`. Never throws.
 */
export async function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivateNetworks: boolean },
): Promise<AttemptResult> {
  let address: ResolvedAddress;
  try {
    address = await safeAddress(url, options.allowPrivateNetworks);
  } catch (error) {
    return { status: null, error: (error as Error).message };
  }
  const secure = url.protocol === 'https:';
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        lookup: pinnedLookup(address),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        const status = response.statusCode ?? null;
        response.on('end', () => finish({ status, error: null }));
        response.on('close', () => finish({ status, error: null }));
        response.on('error', () => finish({ status, error: null }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ status: null, error: error.message }));
    request.end(body);
  });
}
