import { describe, expect, it } from 'vitest';
import { cacheControlFor, IMMUTABLE, preferredEncoding, REVALIDATE } from './static.ts';

describe('preferredEncoding', () => {
  it('prefers brotli at equal weight, whatever the order', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredEncoding('br;q=0.5, gzip;q=0.8')).toBe('gzip');
    expect(preferredEncoding('gzip, br;q=0')).toBe('gzip');
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding('*;q=0, gzip')).toBe('gzip');
  });

  it('sends no encoding without the header or without an accepted one', () => {
    expect(preferredEncoding(undefined)).toBeUndefined();
    expect(preferredEncoding('identity')).toBeUndefined();
    expect(preferredEncoding('deflate, gzip;q=0')).toBeUndefined();
    expect(preferredEncoding('gzip;q=nonsense')).toBeUndefined();
  });
});

describe('cacheControlFor', () => {
  it('keeps only Vite-hashed assets forever', () => {
    expect(cacheControlFor('/assets/index-Bx3k_9aZ.js')).toBe(IMMUTABLE);
    expect(cacheControlFor('/assets/vendor-react-C4f-2mQp.css')).toBe(IMMUTABLE);
    expect(cacheControlFor('/assets/app.js')).toBe(REVALIDATE);
    expect(cacheControlFor('/index.html')).toBe(REVALIDATE);
    expect(cacheControlFor('/favicon-Bx3k_9aZ.ico')).toBe(REVALIDATE);
  });
});
