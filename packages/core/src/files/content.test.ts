import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, isBinaryContent, utf8ByteLength } from './content.ts';
import { detectLanguage } from './language.ts';

describe('isBinaryContent', () => {
  it.each([
    ['ascii', encodeText('hello'), false],
    ['utf-8', encodeText('héllo 😀'), false],
    ['empty', new Uint8Array(0), false],
    ['NUL byte', new Uint8Array([0x61, 0x00, 0x62]), true],
    ['invalid UTF-8', new Uint8Array([0xc3, 0x28]), true],
    ['truncated sequence', new Uint8Array([0x61, 0xe2, 0x82]), true],
    ['latin-1 text', new Uint8Array([0x63, 0x61, 0x66, 0xe9]), true],
    ['PNG header', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), true],
  ])('%s -> %s', (_, bytes, expected) => {
    expect(isBinaryContent(bytes)).toBe(expected);
  });
});

describe('decodeText', () => {
  it('keeps a byte-order mark so export round-trips', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61]);
    const text = decodeText(bytes);
    expect(text).toBe('\ufeffa');
    expect(encodeText(text ?? '')).toEqual(bytes);
  });
});

describe('utf8ByteLength', () => {
  it.each(['', 'abc', 'é', '€', '😀', 'a😀é€', '\ud800', 'x\udc00y'])(
    'matches TextEncoder for %j',
    (text) => {
      expect(utf8ByteLength(text)).toBe(encodeText(text).length);
    },
  );
});

describe('detectLanguage', () => {
  it.each([
    ['src/index.ts', 'typescript'],
    ['App.TSX', 'tsx'],
    ['lib/x.mjs', 'javascript'],
    ['README.md', 'markdown'],
    ['Dockerfile', 'dockerfile'],
    ['docker/Dockerfile.dev', 'dockerfile'],
    ['Makefile', 'makefile'],
    ['.gitignore', 'ignore'],
    ['.env.local', 'dotenv'],
    ['tsconfig.json', 'jsonc'],
    ['data.json', 'json'],
    ['main.py', 'python'],
    ['a.tar.gz', 'plaintext'],
    ['LICENSE', 'plaintext'],
    ['constructor', 'plaintext'],
    ['__proto__', 'plaintext'],
    ['x.toString', 'plaintext'],
  ])('%s -> %s', (path, language) => {
    expect(detectLanguage(path)).toBe(language);
  });
});
