import { createServer, IncomingMessage, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';

/**
 * An HTTP proxy in front of an S3 endpoint (s3rver) whose DeleteObjects refuses the keys `refuses`
 * names, as S3 does for a key it cannot delete: the call succeeds, the key is left in place and
 * listed among the answer's errors (AccessDenied). The other keys are deleted by the endpoint and
 * every other request passes through unchanged. s3rver itself never answers a per-key error.
 */
export interface RefusingProxy {
  endpoint: string;
  /** Which keys DeleteObjects refuses from now on (none at first). */
  refuses: (key: string) => boolean;
  stop(): Promise<void>;
}

const HOP_HEADERS = ['host', 'content-length', 'content-md5', 'x-amz-sdk-checksum-algorithm'];

export async function startRefusingProxy(target: string): Promise<RefusingProxy> {
  const proxy: RefusingProxy = { endpoint: '', refuses: () => false, stop: async () => undefined };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await text(req);
      const deleting = req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '');
      const keys = deleting ? [...body.matchAll(/<Key>(.*?)<\/Key>/g)].map((match) => match[1]) : [];
      const refused = keys.filter((key) => proxy.refuses(key));
      const kept = keys.filter((key) => !proxy.refuses(key));
      if (deleting && kept.length === 0) {
        res.writeHead(200, { 'content-type': 'application/xml' }).end(deleteResult(refused));
        return;
      }
      const forwarded = deleting ? deleteRequest(kept) : body;
      const answer = await forward(target, req, forwarded);
      const answerBody = await text(answer);
      if (!deleting || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers).end(answerBody);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/xml' }).end(deleteResult(refused));
    })().catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy;
}

/** The request to `target` with `body` (the request's own, or a smaller Delete): its checksum headers go with the old body. */
function forward(target: string, req: IncomingMessage, body: string): Promise<IncomingMessage> {
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !HOP_HEADERS.includes(name) && !name.startsWith('x-amz-checksum')),
  );
  return new Promise((resolve, reject) => {
    const out = request(new URL(req.url ?? '/', target), {
      method: req.method,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    });
    out.on('response', resolve).on('error', reject).end(body);
  });
}

function deleteRequest(keys: readonly string[]): string {
  const objects = keys.map((key) => `<Object><Key>${key}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${objects}</Delete>`;
}

/** A quiet DeleteResult: only the refused keys, each with its error. */
function deleteResult(refused: readonly string[]): string {
  const errors = refused
    .map((key) => `<Error><Key>${key}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${errors}</DeleteResult>`;
}
