// Serves the built web app so that a CDN or browser in front caches it correctly: Vite's hashed assets are immutable
// (a new build has new names), everything else (index.html, the SPA fallback, unhashed public files) is revalidated
// on each use through its ETag. Text files are compressed once per process and kept in memory: the bundle is small,
// never changes while the process runs, and is fetched by every client.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { AppError } from '@tandem/core';
import express from 'express';
import { sendError } from './http-errors.ts';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

// Vite names built assets `assets/[name]-[hash].[ext]`, the hash being 8 or more base64url characters.
const hashedAsset = /^\/assets\/.+-[\w-]{8,}\.[a-z0-9]+$/i;

export const cacheControlFor = (urlPath: string) => (hashedAsset.test(urlPath) ? IMMUTABLE : REVALIDATE);

const compressible = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.svg',
  '.json',
  '.txt',
  '.xml',
  '.webmanifest',
  '.wasm',
]);
// Below this, a compressed body plus its headers saves nothing worth the work.
const MIN_COMPRESS_BYTES = 1024;
// A larger file is served as it is (by express.static) rather than held in memory three times.
const MAX_CACHED_BYTES = 16 * 1024 * 1024;

// Measured on react-dom's 625 KB production build: quality 9 takes 46 ms for 99 KB, 11 takes 1.3 s for 90 KB. The
// first request after a start waits for it, so 9; gzip at its best level takes about 50-120 ms.
const BROTLI_QUALITY = 9;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

type Encoding = 'br' | 'gzip';

interface Variants {
  mtimeMs: number;
  size: number;
  hash: string;
  identity: Buffer;
  encoded: Partial<Record<Encoding, Buffer>>;
}

async function loadVariants(file: string, mtimeMs: number): Promise<Variants> {
  const identity = await readFile(file);
  const hash = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
  const encoded: Variants['encoded'] = {};
  if (identity.length >= MIN_COMPRESS_BYTES) {
    // zlib runs on libuv's thread pool, so compressing the bundle does not stall the event loop.
    const [br, gz] = await Promise.all([
      brotliAsync(identity, {
        params: {
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length,
        },
      }),
      gzipAsync(identity, { level: zlib.Z_BEST_COMPRESSION }),
    ]);
    if (br.length < identity.length) encoded.br = br;
    if (gz.length < identity.length) encoded.gzip = gz;
  }
  return { mtimeMs, size: identity.length, hash, identity, encoded };
}

/**
 * The encoding to send for an Accept-Encoding header: brotli when the client rates it at least as high as gzip (it is
 * smaller, and browsers list it after gzip at the same weight), none without the header.
 */
export function preferredEncoding(header: string | undefined): Encoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string) => weights.get(name) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br > 0 && br >= gz) return 'br';
  return gz > 0 ? 'gzip' : undefined;
}

/** Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

type Serve = (
  req: express.Request,
  res: express.Response,
  file: string,
  cacheControl: string,
) => Promise<boolean>;

/** Serves text files compressed and kept in memory, with ETags; false for files it leaves to others. */
function compressedFiles(): Serve {
  const cache = new Map<string, Promise<Variants>>();

  const variantsOf = async (file: string): Promise<Variants | undefined> => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_CACHED_BYTES) return undefined;
    let pending = cache.get(file);
    const cached = pending && (await pending.catch(() => undefined));
    // A rebuilt dist (same process, e.g. `pnpm dev`) is picked up instead of served stale.
    if (!cached || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size) {
      pending = loadVariants(file, info.mtimeMs);
      cache.set(file, pending);
      pending.catch(() => cache.delete(file));
    }
    return pending;
  };

  /** Serves a text file compressed as the client accepts; false when it is not one to serve this way. */
  const serve = async (req: express.Request, res: express.Response, file: string, cacheControl: string) => {
    if (!compressible.has(path.extname(file).toLowerCase())) return false;
    const variants = await variantsOf(file);
    if (!variants) return false;
    const encoding = preferredEncoding(req.headers['accept-encoding']);
    const body = (encoding && variants.encoded[encoding]) ?? variants.identity;
    const used = body === variants.identity ? undefined : encoding;
    // A strong ETag per representation: caches must not answer a gzip request with brotli bytes.
    const etag = `"${variants.hash}${used ? `-${used}` : ''}"`;
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('ETag', etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (matches(req.headers['if-none-match'], etag)) {
      res.status(304).end();
      return true;
    }
    res.type(path.extname(file));
    if (used) res.setHeader('Content-Encoding', used);
    res.setHeader('Content-Length', body.length);
    if (req.method === 'HEAD') res.end();
    else res.end(body);
    return true;
  };
  return serve;
}

/** The file a GET or HEAD request names inside `root`, or undefined (other methods, bad escapes, dotfiles, outside). */
function requestedFile(root: string, req: express.Request): string | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  let relative: string;
  try {
    relative = decodeURIComponent(req.path);
  } catch {
    return undefined;
  }
  const file = path.join(root, relative);
  if (!file.startsWith(root + path.sep) || relative.split('/').some((part) => part.startsWith('.'))) {
    return undefined;
  }
  return file;
}

/** Source maps would hand out the readable source of the whole client; they are not built, and not served. */
const noSourceMaps: express.RequestHandler = (req, res, next) => {
  if (req.path.endsWith('.map')) sendError(res, new AppError('NOT_FOUND', 'Not found.'));
  else next();
};

export function webApp(webDist: string): express.Router {
  const root = path.resolve(webDist);
  const serve = compressedFiles();

  const router = express.Router();
  router.use(noSourceMaps);
  router.use((req, res, next) => {
    // Paths outside the dist and dotfiles are left to express.static, which refuses them.
    const file = requestedFile(root, req);
    if (!file) {
      next();
      return;
    }
    serve(req, res, file, cacheControlFor(req.path)).then((done) => done || next(), next);
  });
  // Whatever is not compressed here (images, fonts, very large files), with express.static's own weak ETag.
  router.use(
    express.static(root, {
      index: false,
      cacheControl: false,
      setHeaders: (res, file) => {
        const urlPath = `/${path.relative(root, file).split(path.sep).join('/')}`;
        res.setHeader('Cache-Control', cacheControlFor(urlPath));
      },
    }),
  );
  // The client-side router's paths all get index.html, which must be revalidated so a deploy reaches every client.
  router.get('/{*splat}', (req, res, next) => {
    serve(req, res, path.join(root, 'index.html'), REVALIDATE).then(
      (done) => done || sendError(res, new AppError('NOT_FOUND', 'Not found.')),
      next,
    );
  });
  return router;
}

// VitePress names built assets `assets/[name].[hash].[ext]` (chunks and fonts too).
const hashedDocsAsset = /^\/assets\/.+\.[\w-]{8,}\.[a-z0-9]+$/i;

export const docsCacheControlFor = (urlPath: string) =>
  hashedDocsAsset.test(urlPath) ? IMMUTABLE : REVALIDATE;

/**
 * The built docs site (VitePress, `pnpm docs:build`), mounted at /docs: hashed assets immutable, pages revalidated,
 * clean URLs (`/docs/guide/review` is `guide/review.html`, a folder its `index.html`), unknown paths get the site's
 * own 404 page with status 404.
 */
export function docsSite(docsDist: string): express.Router {
  const root = path.resolve(docsDist);
  const serve = compressedFiles();
  const router = express.Router();
  router.use(noSourceMaps);
  router.use((req, res, next) => {
    const file = requestedFile(root, req);
    if (!file && req.path !== '/') {
      next();
      return;
    }
    const cacheControl = docsCacheControlFor(req.path);
    // The page a clean URL names, in the order VitePress' own dev server resolves them.
    const candidates = req.path.endsWith('/')
      ? [path.join(file ?? root, 'index.html')]
      : path.extname(req.path)
        ? [file ?? root]
        : [`${file ?? root}.html`, path.join(file ?? root, 'index.html')];
    const tryNext = async (): Promise<boolean> => {
      for (const candidate of candidates) if (await serve(req, res, candidate, cacheControl)) return true;
      return false;
    };
    tryNext().then((done) => done || next(), next);
  });
  router.use(
    express.static(root, {
      index: false,
      cacheControl: false,
      redirect: false,
      setHeaders: (res, file) => {
        const urlPath = `/${path.relative(root, file).split(path.sep).join('/')}`;
        res.setHeader('Cache-Control', docsCacheControlFor(urlPath));
      },
    }),
  );
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    res.status(404);
    serve(req, res, path.join(root, '404.html'), REVALIDATE).then(
      (done) => done || sendError(res, new AppError('NOT_FOUND', 'Not found.')),
      next,
    );
  });
  return router;
}
