import { gunzipSync, gzipSync, unzipSync, Zip, ZipDeflate, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { ArchiveEntry } from './archive-collector.ts';
import { type ArchiveCodec, jsArchiveCodec } from './archive-codec.ts';
import { detectArchiveFormat, readArchive as read, writeArchive as write } from './archive.ts';
import { zlibArchiveCodec } from './zlib-codec.ts';

const encoder = new TextEncoder();
const MiB = 1024 * 1024;

function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** Deep equality on big typed arrays is slow in vitest; compare bytes directly. */
function expectSameFiles(actual: ArchiveEntry[], expected: ArchiveEntry[]): void {
  expect(actual.map((file) => file.path)).toEqual(expected.map((file) => file.path));
  actual.forEach((file, i) => {
    expect(Buffer.compare(file.content, expected[i]!.content)).toBe(0);
  });
}

function rejection(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

function expectRejected(run: () => unknown, message: RegExp): void {
  const error = rejection(run);
  expect(error.code).toBe('ARCHIVE_REJECTED');
  expect(error.message).toMatch(message);
}

// Tar crafting, written independently of tar.ts so the reader is not tested against itself.

interface HeaderOptions {
  type?: string;
  prefix?: string;
  linkName?: string;
  magic?: 'posix' | 'gnu';
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function tarHeader(name: string, size: number, options: HeaderOptions = {}): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string): void => block.set(encoder.encode(text), offset);
  put(0, name);
  put(100, octal(0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(0, 12));
  put(148, '        ');
  put(156, options.type ?? '0');
  if (options.linkName) put(157, options.linkName);
  put(257, options.magic === 'gnu' ? 'ustar  \0' : 'ustar\u000000');
  if (options.prefix) put(345, options.prefix);
  put(
    148,
    `${octal(
      block.reduce((sum, byte) => sum + byte, 0),
      7,
    )} `,
  );
  return block;
}

function tarEntry(name: string, data: Uint8Array | string, options: HeaderOptions = {}): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return concat(
    tarHeader(name, bytes.length, options),
    bytes,
    new Uint8Array((512 - (bytes.length % 512)) % 512),
  );
}

function tarOf(...entries: Uint8Array[]): Uint8Array {
  return concat(...entries, new Uint8Array(1024));
}

// Zip patching: offsets of central directory records in an fflate-written zip.

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function eocdOffset(zip: Uint8Array): number {
  for (let offset = zip.length - 22; offset >= 0; offset -= 1) {
    if (view(zip).getUint32(offset, true) === 0x06054b50) return offset;
  }
  throw new Error('no EOCD');
}

function centralRecords(zip: Uint8Array): number[] {
  const records: number[] = [];
  const v = view(zip);
  let offset = v.getUint32(eocdOffset(zip) + 16, true);
  while (v.getUint32(offset, true) === 0x02014b50) {
    records.push(offset);
    offset +=
      46 + v.getUint16(offset + 28, true) + v.getUint16(offset + 30, true) + v.getUint16(offset + 32, true);
  }
  return records;
}

/** A zip whose central directory lists the single record of `zip` twice, the second named `secondName`. */
function zipWithRecordTwice(zip: Uint8Array, secondName: string): Uint8Array {
  const [record] = centralRecords(zip);
  const eocd = eocdOffset(zip);
  const original = zip.slice(record, eocd);
  const copy = original.slice();
  copy.set(encoder.encode(secondName), 46);
  const end = zip.slice(eocd);
  view(end).setUint16(8, 2, true);
  view(end).setUint16(10, 2, true);
  view(end).setUint32(12, original.length * 2, true);
  return concat(zip.subarray(0, record), original, copy, end);
}

/** Deterministic bytes that do not compress, so entries span many inflate steps and tar blocks. */
function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 12345;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const sampleFiles = [
  { path: 'README.md', content: encoder.encode('# Sample\n') },
  { path: 'src/index.ts', content: encoder.encode('export const answer = 42;\n') },
  { path: 'src/empty.ts', content: new Uint8Array(0) },
  { path: 'assets/logo.bin', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]) },
  { path: 'docs/ünïcödé 😀.md', content: encoder.encode('unicode name') },
  { path: `${'deep/'.repeat(25)}${'n'.repeat(80)}.txt`, content: encoder.encode('long path') },
  { path: `${'x'.repeat(200)}/${'y'.repeat(200)}.txt`, content: encoder.encode('needs a pax record') },
  { path: 'big.txt', content: encoder.encode('lorem ipsum '.repeat(50_000)) },
  { path: 'noise.bin', content: noise(300_001) },
];

const codecs: [string, ArchiveCodec][] = [
  ['fflate', jsArchiveCodec],
  ['zlib', zlibArchiveCodec],
];

// Every rule holds whichever codec compresses and decompresses.
describe.each(codecs)('with the %s codec', (_name, codec) => {
  const readArchive: typeof read = (bytes, limits, options) => read(bytes, limits, { ...options, codec });
  const writeArchive: typeof write = (files, format, options) => write(files, format, { ...options, codec });

  describe('writeArchive and readArchive', () => {
    it.each(['zip', 'tar.gz'] as const)('round-trip %s', (format) => {
      const bytes = writeArchive(sampleFiles, format);
      expect(detectArchiveFormat(bytes)).toBe(format);
      expectSameFiles(readArchive(bytes), sampleFiles);
    });

    it('writes archives another reader takes, storing what deflate would not shrink', () => {
      const files = [
        ...sampleFiles,
        { path: 'random.bin', content: crypto.getRandomValues(new Uint8Array(65_536)) },
      ];
      const zip = writeArchive(files, 'zip');
      const theirs = unzipSync(zip);
      expect(Object.keys(theirs)).toEqual(files.map((file) => file.path));
      for (const file of files) expect(Buffer.compare(theirs[file.path]!, file.content)).toBe(0);
      const methods = new Map(
        centralRecords(zip).map((record) => {
          const v = view(zip);
          const name = zip.subarray(record + 46, record + 46 + v.getUint16(record + 28, true));
          return [new TextDecoder().decode(name), v.getUint16(record + 10, true)];
        }),
      );
      expect(methods.get('random.bin')).toBe(0);
      expect(methods.get('big.txt')).toBe(8);
      const tar = gunzipSync(writeArchive(sampleFiles, 'tar.gz'));
      expect(readArchive(tar).map((file) => file.path)).toEqual(sampleFiles.map((file) => file.path));
    });

    it.each(['zip', 'tar.gz'] as const)('write %s deterministically', (format) => {
      expect(Buffer.compare(writeArchive(sampleFiles, format), writeArchive(sampleFiles, format))).toBe(0);
    });

    it('accepts string content and a custom mtime', () => {
      const bytes = writeArchive([{ path: 'a.txt', content: 'text' }], 'tar.gz', {
        mtime: new Date(Date.UTC(2024, 0, 1)),
      });
      expect(readArchive(bytes)).toEqual([{ path: 'a.txt', content: encoder.encode('text') }]);
    });

    it('compresses (the big repetitive file shrinks)', () => {
      const text = sampleFiles.filter((file) => file.path !== 'noise.bin');
      expect(writeArchive(text, 'tar.gz').length).toBeLessThan(20_000);
      expect(writeArchive(text, 'zip').length).toBeLessThan(20_000);
    });

    it('refuses unsafe or duplicate paths when writing', () => {
      expect(rejection(() => writeArchive([{ path: '../x', content: 'x' }], 'zip')).code).toBe(
        'INVALID_PATH',
      );
      expect(
        rejection(() =>
          writeArchive(
            [
              { path: 'a.txt', content: 'x' },
              { path: 'A.txt', content: 'y' },
            ],
            'tar.gz',
          ),
        ).code,
      ).toBe('BAD_INPUT');
    });
  });

  describe('readArchive formats', () => {
    it('reads a plain tar with folder entries, a ustar prefix and a GNU long name', () => {
      const longName = `${'folder/'.repeat(20)}file.txt`;
      const tar = tarOf(
        tarEntry('./', '', { type: '5' }),
        tarEntry('./src/', '', { type: '5' }),
        tarEntry('./src/a.ts', 'a'),
        tarEntry('file.ts', 'prefixed', { prefix: 'deep/folder' }),
        tarEntry('././@LongLink', `${longName}\0`, { type: 'L', magic: 'gnu' }),
        tarEntry(longName.slice(0, 99), 'long', { magic: 'gnu' }),
        tarEntry('pax_global_header', '52 comment=ignored by readers that do not need it\n', { type: 'g' }),
        tarEntry('old-style-dir/', ''),
      );
      expect(detectArchiveFormat(tar)).toBe('tar');
      expect(readArchive(tar).map((entry) => entry.path)).toEqual([
        'src/a.ts',
        'deep/folder/file.ts',
        longName,
      ]);
    });

    it('applies pax path and size records', () => {
      const tar = tarOf(
        tarEntry('PaxHeader', '25 path=from/pax/name.md\n', { type: 'x' }),
        tarEntry('short-name', 'content'),
      );
      expect(readArchive(tar)).toEqual([{ path: 'from/pax/name.md', content: encoder.encode('content') }]);
    });

    it('reads a zip written by another producer, skipping folders and __MACOSX', () => {
      const zip = zipSync({
        'project/': new Uint8Array(0),
        'project/a.txt': encoder.encode('a'),
        'project/sub/b.txt': [encoder.encode('b'), { level: 0 }],
        '__MACOSX/project/._a.txt': new Uint8Array([0, 5, 22, 7]),
      });
      expect(readArchive(zip)).toEqual([
        { path: 'project/a.txt', content: encoder.encode('a') },
        { path: 'project/sub/b.txt', content: encoder.encode('b') },
      ]);
    });

    it('reads a streamed zip that uses data descriptors', () => {
      const parts: Uint8Array[] = [];
      const zip = new Zip((error, chunk) => {
        if (error) throw error;
        parts.push(chunk);
      });
      const entry = new ZipDeflate('streamed.txt', { level: 6 });
      zip.add(entry);
      entry.push(encoder.encode('streamed '.repeat(100)), true);
      zip.end();
      expect(readArchive(concat(...parts))).toEqual([
        { path: 'streamed.txt', content: encoder.encode('streamed '.repeat(100)) },
      ]);
    });

    it('recognises an old-style tar without the ustar magic by its checksum', () => {
      const header = tarHeader('old.txt', 3);
      header.fill(0, 257, 265);
      let sum = 0;
      header.fill(0x20, 148, 156);
      for (const byte of header) sum += byte;
      header.set(encoder.encode(`${octal(sum, 7)} `), 148);
      const tar = tarOf(concat(header, encoder.encode('old'), new Uint8Array(509)));
      expect(detectArchiveFormat(tar)).toBe('tar');
      expect(readArchive(tar)).toEqual([{ path: 'old.txt', content: encoder.encode('old') }]);
    });

    it('strips a single common top-level folder when asked', () => {
      const zip = zipSync({
        'repo-main/a.ts': encoder.encode('a'),
        'repo-main/src/b.ts': encoder.encode('b'),
      });
      expect(readArchive(zip, {}, { stripRoot: true }).map((entry) => entry.path)).toEqual([
        'a.ts',
        'src/b.ts',
      ]);
      const mixed = zipSync({ 'one/a.ts': encoder.encode('a'), 'two/b.ts': encoder.encode('b') });
      expect(readArchive(mixed, {}, { stripRoot: true }).map((entry) => entry.path)).toEqual([
        'one/a.ts',
        'two/b.ts',
      ]);
      const rootFile = zipSync({ 'one/a.ts': encoder.encode('a'), one: encoder.encode('clash') });
      expectRejected(() => readArchive(rootFile, {}, { stripRoot: true }), /both a file and a folder/);
    });

    it('accepts an empty zip and an empty tar.gz', () => {
      expect(readArchive(zipSync({}))).toEqual([]);
      expect(readArchive(gzipSync(new Uint8Array(1024)))).toEqual([]);
    });

    it('refuses data that is not an archive', () => {
      expectRejected(() => readArchive(encoder.encode('just some text')), /not a zip, tar or tar\.gz/);
      expectRejected(() => readArchive(new Uint8Array(0)), /not a zip, tar or tar\.gz/);
      expectRejected(() => readArchive(gzipSync(encoder.encode('x'.repeat(600)))), /damaged/);
    });

    it('refuses damaged archives', () => {
      const tarGz = writeArchive(sampleFiles, 'tar.gz');
      expectRejected(() => readArchive(tarGz.subarray(0, tarGz.length / 2)), /truncated|damaged/);
      const tar = tarOf(tarEntry('a.txt', 'a'));
      tar[0] = 0x62; // the checksum no longer matches
      expectRejected(
        () => readArchive(concat(tarOf(tarEntry('ok', 'x')).subarray(0, 1024), tar)),
        /checksum/,
      );
      const zip = writeArchive(sampleFiles, 'zip');
      expectRejected(() => readArchive(zip.subarray(0, zip.length - 30)), /damaged|central directory/);
    });
  });

  describe('readArchive refuses unsafe entries', () => {
    it.each([
      ['../evil', /"\.\.\/evil" has an unsafe path/],
      ['a/../../evil', /unsafe path/],
      ['/etc/passwd', /"\/etc\/passwd" has an unsafe path \(absolute/],
      ['C:\\Windows\\evil.dll', /unsafe path \(drive-letter/],
      ['bad\nname', /unsafe path \(contains a control/],
    ])('tar entry %j', (name, message) => {
      expectRejected(() => readArchive(tarOf(tarEntry('fine.txt', 'ok'), tarEntry(name, 'x'))), message);
    });

    it('refuses a ../ folder entry too', () => {
      expectRejected(() => readArchive(tarOf(tarEntry('../up/', '', { type: '5' }))), /unsafe path/);
    });

    it.each([
      ['2', /"link" is a symbolic link/],
      ['1', /"link" is a hard link/],
      ['3', /"link" is a device or pipe/],
      ['4', /"link" is a device or pipe/],
      ['6', /"link" is a device or pipe/],
      ['S', /unsupported tar entry type/],
    ])('tar typeflag %s', (type, message) => {
      expectRejected(
        () => readArchive(tarOf(tarEntry('link', '', { type, linkName: '/etc/passwd' }))),
        message,
      );
    });

    it('refuses duplicate tar entries, also by letter case', () => {
      expectRejected(
        () => readArchive(tarOf(tarEntry('a.txt', '1'), tarEntry('./a.txt', '2'))),
        /appears more than once/,
      );
      expectRejected(
        () => readArchive(tarOf(tarEntry('src/A.txt', '1'), tarEntry('src/a.txt', '2'))),
        /"src\/a\.txt" duplicates "src\/A\.txt"/,
      );
    });

    it('refuses zip entries with unsafe names', () => {
      expectRejected(() => readArchive(zipSync({ '../evil.sh': encoder.encode('x') })), /"\.\.\/evil\.sh"/);
      expectRejected(() => readArchive(zipSync({ '/abs.txt': encoder.encode('x') })), /absolute/);
    });

    it('refuses zip symlinks marked in the external attributes', () => {
      const zip = zipSync({ link: [encoder.encode('/etc/passwd'), { os: 3, attrs: 0o120777 * 0x10000 }] });
      expectRejected(() => readArchive(zip), /"link" is a symbolic link/);
      const fifo = zipSync({ pipe: [new Uint8Array(0), { os: 3, attrs: 0o010644 * 0x10000 }] });
      expectRejected(() => readArchive(fifo), /device, pipe or socket/);
    });

    it('refuses duplicate and case-duplicate zip entries', () => {
      const zip = zipSync({ 'a.txt': encoder.encode('a') });
      expectRejected(() => readArchive(zipWithRecordTwice(zip, 'a.txt')), /appears more than once/);
      expectRejected(
        () => readArchive(zipSync({ 'A.txt': encoder.encode('1'), 'a.txt': encoder.encode('2') })),
        /letter case/,
      );
    });

    it('refuses zip entries that share data (overlapping-entry bombs)', () => {
      const zip = zipSync({ 'a.txt': encoder.encode('shared data') });
      expectRejected(() => readArchive(zipWithRecordTwice(zip, 'b.txt')), /overlaps another entry/);
    });

    it('refuses encrypted, unsupported and corrupted zip entries', () => {
      const patched = (patch: (v: DataView, record: number) => void): Uint8Array => {
        const zip = zipSync({ 'a.txt': encoder.encode('hello hello hello') });
        patch(view(zip), centralRecords(zip)[0]!);
        return zip;
      };
      expectRejected(
        () => readArchive(patched((v, r) => v.setUint16(r + 8, v.getUint16(r + 8, true) | 1, true))),
        /encrypted/,
      );
      expectRejected(
        () => readArchive(patched((v, r) => v.setUint16(r + 10, 12, true))),
        /compression method 12/,
      );
      expectRejected(
        () => readArchive(patched((v, r) => v.setUint32(r + 16, v.getUint32(r + 16, true) ^ 1, true))),
        /checksum/,
      );
    });
  });

  describe('readArchive limits', () => {
    it('refuses too many entries', () => {
      const files = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.txt`, content: 'x' }));
      for (const format of ['zip', 'tar.gz'] as const) {
        expectRejected(
          () => readArchive(writeArchive(files, format), { maxEntries: 4 }),
          /more than 4 entries|5 entries/,
        );
        expect(readArchive(writeArchive(files, format), { maxEntries: 5 })).toHaveLength(5);
      }
    });

    it('refuses an entry over the file limit before reading its data', () => {
      // The header claims 3 GiB; there is no data at all, so only the header can have been looked at.
      expectRejected(
        () => readArchive(tarOf(tarHeader('huge.bin', 3 * 1024 * MiB))),
        /"huge\.bin" is 3072 MiB/,
      );
      const zip = zipSync({ 'a.txt': encoder.encode('small') });
      view(zip).setUint32(centralRecords(zip)[0]! + 24, 50 * MiB, true);
      expectRejected(() => readArchive(zip), /"a\.txt" is 50 MiB; the limit per file is 2 MiB/);
    });

    it('refuses archives that expand past the total limit', () => {
      const files = Array.from({ length: 4 }, (_, i) => ({ path: `f${i}.txt`, content: 'x'.repeat(1000) }));
      for (const format of ['zip', 'tar.gz'] as const) {
        expectRejected(
          () => readArchive(writeArchive(files, format), { maxTotalBytes: 3500 }),
          /more than 3\.4 KiB/,
        );
      }
    });

    it('refuses a zip entry that expands beyond its declared size, within one step', () => {
      const zip = zipSync({ 'bomb.bin': new Uint8Array(8 * MiB) }, { level: 1 });
      view(zip).setUint32(centralRecords(zip)[0]! + 24, 1000, true);
      expectRejected(() => readArchive(zip), /"bomb\.bin" expands beyond its declared size/);
    });

    it('refuses small zip entries whose declared size is wrong', () => {
      const lying = zipSync({ 'small.txt': encoder.encode('x'.repeat(1000)) });
      view(lying).setUint32(centralRecords(lying)[0]! + 24, 10, true);
      expectRejected(() => readArchive(lying), /"small\.txt" expands beyond its declared size/);
      const short = zipSync({ 'small.txt': encoder.encode('x'.repeat(1000)) });
      view(short).setUint32(centralRecords(short)[0]! + 24, 2000, true);
      expectRejected(() => readArchive(short), /"small\.txt" is truncated/);
    });

    it('refuses a zip whose declared sizes are a bomb, before inflating', () => {
      const zeros = new Uint8Array(2 * MiB);
      const zip = zipSync(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`z${i}.bin`, zeros])), {
        level: 1,
      });
      expectRejected(() => readArchive(zip), /expands more than 200x/);
    });

    it('refuses a streamed tar.gz bomb by its expansion ratio', () => {
      // 12 entries of 2 MiB zeros: each within the per-file limit, 24 MiB in total, but ~1000x compression.
      const member = gzipSync(new Uint8Array(2 * MiB), { level: 6 });
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 12; i += 1) parts.push(gzipSync(tarHeader(`zeros-${i}.bin`, 2 * MiB)), member);
      expectRejected(() => readArchive(concat(...parts)), /decompression bomb/);
    });

    it('refuses a streamed tar.gz over the total limit while decompressing', () => {
      const member = gzipSync(new Uint8Array(MiB));
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 8; i += 1) parts.push(gzipSync(tarHeader(`part-${i}.bin`, MiB)), member);
      const limits = { maxTotalBytes: 4 * MiB, maxExpansionRatio: 1_000_000 };
      expectRejected(
        () => readArchive(concat(...parts), limits),
        /expands to more than 4 MiB \(stopped at "part-4\.bin"\)/,
      );
    });

    it('refuses 200 MiB of streamed zeros behind a header without inflating them', () => {
      const zeros = gzipSync(new Uint8Array(8 * MiB));
      const parts = [gzipSync(tarHeader('zeros.bin', 200 * MiB))];
      for (let i = 0; i < 25; i += 1) parts.push(zeros);
      const started = performance.now();
      expectRejected(() => readArchive(concat(...parts)), /"zeros\.bin" is 200 MiB/);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('stops decompressing at the end of the tar (1 GiB of trailing zeros is never inflated)', () => {
      const zeros = gzipSync(new Uint8Array(8 * MiB));
      const parts = [gzipSync(tarOf(tarEntry('a.txt', 'hello')))];
      for (let i = 0; i < 128; i += 1) parts.push(zeros);
      const started = performance.now();
      expect(readArchive(concat(...parts))).toEqual([{ path: 'a.txt', content: encoder.encode('hello') }]);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  });
});
