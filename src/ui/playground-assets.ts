import { Request, RequestHandler } from 'express';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { ErrorCode } from '../errors';
import { sendJsonError } from '../http/http-errors';
import { PLAYGROUND_FETCHER } from './playground-fetcher';

/** Where the playground's static files are served: `/playground/<content hash>/<file>`. */
export const PLAYGROUND_ASSETS_PATH = '/playground';

/** The files GraphiQL needs, by name; the page links them and hands the workers to Monaco. */
export type AssetName =
  | 'graphiql.js'
  | 'graphiql.css'
  | 'favicon.ico'
  | 'editor.worker.js'
  | 'json.worker.js'
  | 'graphql.worker.js'
  | 'graphql-ws.js'
  | 'fetcher.js';

interface Asset {
  type: string;
  body: Buffer;
  /** Of the body: part of the URL, so a new version is a new URL and old ones can be cached for good. */
  hash: string;
  encoded: Map<string, Promise<Buffer>>;
}

/** render-graphiql's built GraphiQL (JS, CSS, Monaco's workers, favicon) as strings, 9 MB in all. */
interface BuiltGraphiQL {
  js: string;
  css: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

/** A year: the URL changes with the content, so a browser never has to ask again. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const compressors = {
  br: (body: Buffer) =>
    promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } }) as Promise<Buffer>,
  gzip: (body: Buffer) => promisify(gzip)(body, { level: 9 }) as Promise<Buffer>,
};
const ENCODINGS = Object.keys(compressors) as (keyof typeof compressors)[];

let assets: Map<AssetName, Asset> | undefined;

/** Reads the files from installed packages on first use (no CDN: these machines may have no internet). */
function loadAssets(): Map<AssetName, Asset> {
  // The package exports only its index; its built GraphiQL sits next to it.
  const renderGraphiql = path.dirname(require.resolve('@graphql-yoga/render-graphiql'));
  const built = require(path.join(renderGraphiql, 'graphiql.js')) as BuiltGraphiQL;
  // graphql-ws exports no ./umd path, but its package.json tells where the package is.
  const graphqlWs = path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd/graphql-ws.min.js');
  const js = 'text/javascript; charset=utf-8';
  const files: [AssetName, string, string | Buffer][] = [
    ['graphiql.js', js, built.js],
    ['graphiql.css', 'text/css; charset=utf-8', built.css],
    ['favicon.ico', 'image/x-icon', Buffer.from(built.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64')],
    ['editor.worker.js', js, built.editorWorkerService],
    ['json.worker.js', js, built.jsonWorker],
    ['graphql.worker.js', js, built.graphqlWorker],
    ['graphql-ws.js', js, readFileSync(graphqlWs)],
    ['fetcher.js', js, PLAYGROUND_FETCHER],
  ];
  return new Map(
    files.map(([name, type, content]) => {
      const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
      return [name, { type, body, hash, encoded: new Map() }];
    }),
  );
}

/** The URL of each asset, for the page to link. */
export function assetUrls(): Record<AssetName, string> {
  assets ??= loadAssets();
  return Object.fromEntries(
    [...assets].map(([name, asset]) => [name, `${PLAYGROUND_ASSETS_PATH}/${asset.hash}/${name}`]),
  ) as Record<AssetName, string>;
}

/**
 * Serves `/playground/<hash>/<file>`: cached for a year (immutable, with an ETag), compressed with
 * brotli or gzip when the browser accepts it. Each file is compressed once, on its first request,
 * off the event loop (zlib's thread pool); GraphiQL's 5 MB of JS becomes about 1.3 MB.
 */
export function playgroundAssetsHandler(enabled: boolean): RequestHandler {
  return async (req, res, next) => {
    if (enabled) assets ??= loadAssets();
    const asset = enabled ? assets?.get(req.params.file as AssetName) : undefined;
    if (!asset || asset.hash !== req.params.hash) {
      return sendJsonError(res, 404, ErrorCode.NOT_FOUND, 'No such playground file (the playground may be disabled).');
    }
    const encoding = encodingFor(req);
    const etag = `"${asset.hash}${encoding ? `-${encoding}` : ''}"`;
    res.set({ 'Cache-Control': IMMUTABLE, ETag: etag, Vary: 'Accept-Encoding', 'Content-Type': asset.type });
    if (req.headers['if-none-match'] === etag) return res.status(304).end();
    try {
      if (!encoding) return res.send(asset.body);
      if (!asset.encoded.has(encoding)) asset.encoded.set(encoding, compressors[encoding](asset.body));
      const body = await asset.encoded.get(encoding)!;
      res.set('Content-Encoding', encoding).send(body);
    } catch (error) {
      next(error);
    }
  };
}

function encodingFor(req: Request): keyof typeof compressors | undefined {
  const accepted = req.acceptsEncodings(...ENCODINGS, 'identity');
  return ENCODINGS.find((encoding) => encoding === accepted);
}
