import { ONE_MB, Random } from './fuzz-random';
import type { RawRequest } from './fuzz-transports';

const ME = '{"query":"{ me { id } }"}';

/**
 * Requests below GraphQL: bodies that are not JSON or not of the expected shape, wrong media types
 * and charsets, bogus encodings, oversized and deeply nested bodies, other methods. Each must get
 * a JSON answer whose errors carry a code, never an HTML error page or a stack trace.
 */
export function rawRequest(random: Random, authorization: string | undefined): RawRequest {
  const auth: Record<string, string> = authorization === undefined ? {} : { authorization };
  const json = (body: string | Buffer, extra: Record<string, string> = {}): RawRequest => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...extra },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });
  return random.weighted<() => RawRequest>([
    [4, () => json(random.bytes(random.int(1, 2048)))],
    [3, () => json(ME.slice(0, random.int(0, ME.length - 1)))],
    [3, () => json(random.pick(['[]', `[${ME}]`, '"{ me { id } }"', '42', 'null', 'true', '{}', '{"query":42}']))],
    [1, () => json(`{"query":"{ me { id } }","variables":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)],
    [1, () => json(`{"query":"${'#'.repeat(ONE_MB + 100)}"}`)],
    [1, () => json(`{"query":"{ me { id } }", "query":"{ __typename }"}`)],
    [2, () => json(ME, { 'content-type': random.pick(mediaTypes) })],
    [
      2,
      () =>
        json(random.bytes(random.int(1, 256)), {
          'content-encoding': random.pick(['gzip', 'deflate', 'br', 'x-fuzz']),
        }),
    ],
    [
      1,
      () => ({
        method: random.pick(['PUT', 'PATCH', 'DELETE']),
        headers: { 'content-type': 'application/json', ...auth },
        body: Buffer.from(ME),
      }),
    ],
    [1, () => ({ method: 'POST', headers: auth, body: Buffer.from(ME) })],
  ])();
}

const mediaTypes = [
  'text/plain',
  'application/graphql',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=fuzz',
  'application/graphql-response+json',
  'application/octet-stream',
];
