// A large, realistic upload for load tests and the archive bench: a tree of source-like files made of pseudo-random
// tokens, which compress about 2.5x (real code does 3-5x; repeated text would be a trivial 100x).
import { gzipSync } from 'node:zlib';

const words = [
  'const',
  'let',
  'function',
  'return',
  'export',
  'import',
  'value',
  'item',
  'index',
  'result',
  'await',
  'async',
  'if',
  'else',
  'for',
  'while',
  'props',
  'state',
  'render',
  'config',
];

/** Files of about 60 KB each, `totalBytes` in all, the same for the same arguments. */
export function sourceTree(totalBytes: number): { path: string; content: string }[] {
  const files: { path: string; content: string }[] = [];
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let total = 0, i = 0; total < totalBytes; i += 1) {
    const lines: string[] = [];
    for (let size = 0; size < 60_000;) {
      const a = next();
      const b = next();
      const line = `  ${words[a % words.length]} v${a % 9973} = ${b.toString(36)}(${(a >> 5).toString(16)}); // ${words[b % words.length]}\n`;
      lines.push(line);
      size += line.length;
    }
    const content = lines.join('');
    files.push({ path: `pkg-${i % 40}/src/module-${i}.ts`, content });
    total += content.length;
  }
  return files;
}

/** Text files of random base64 (generated data, fixtures), which barely compress: `totalBytes` in 60 KB files. */
export function randomBlobs(totalBytes: number): { path: string; content: string }[] {
  const files: { path: string; content: string }[] = [];
  let seed = 7;
  for (let total = 0, i = 0; total < totalBytes; i += 1) {
    const bytes = Buffer.alloc(45_000);
    for (let j = 0; j < bytes.length; j += 1) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[j] = seed >> 16;
    }
    const content = bytes.toString('base64');
    files.push({ path: `fixtures/blob-${i}.txt`, content });
    total += content.length;
  }
  return files;
}

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.fill(0x20, 148, 156);
  header.write('0', 156);
  header.write('ustar\u000000', 257);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A .tar.gz of `files`, compressed with Node's native zlib (fast enough to make 100 MB in a test). */
export function tarGz(files: readonly { path: string; content: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const content = Buffer.from(file.content);
    parts.push(
      tarHeader(file.path, content.length),
      content,
      Buffer.alloc((512 - (content.length % 512)) % 512),
    );
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 1 });
}
