import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTokens, EXACT_COUNT_LIMIT, isApproximateCount, warmTokenizer } from './tokens.ts';

const reference = new Tiktoken(cl100k);
const exact = (text: string): number => reference.encode(text, [], []).length;

const samples = [
  'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
  'const greeting = `Hello, ${name}!`;\n\n\n    // indented comment with   spaces\n',
  'Größe: 10 €, naïve café, 日本語のテキスト, emoji 🎉👍🏽 and CRLF\r\nline two\r\n',
  'The model must not choke on <|endoftext|> or <|fim_prefix|> appearing in a file.',
  '{"name":"@tandem/core","version":"0.0.0","private":true,"dependencies":{"zod":"^4.1.0"}}',
  ' '.repeat(300) + '\t\t\n'.repeat(20) + 'x',
];

function sourceText(chars: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i += 1) {
    const line = `export const value${i} = compute(${i}, "label-${i % 97}") * ${i % 13}; // note ${i % 7}\n`;
    parts.push(line);
    length += line.length;
  }
  return parts.join('');
}

beforeAll(() => warmTokenizer(), 30_000);

describe('countTokens', () => {
  it('matches js-tiktoken cl100k_base exactly, special-token text counted as plain text', () => {
    for (const text of samples) expect(countTokens(text)).toBe(exact(text));
  });

  it('returns the same count from its caches', () => {
    const text = sourceText(5_000);
    const first = countTokens(text);
    expect(countTokens(text)).toBe(first);
    expect(countTokens(text.slice(0))).toBe(exact(text));
  });

  it('counts the empty string as zero', () => {
    expect(countTokens('')).toBe(0);
  });

  it('is additive over line-separated parts within a small margin', () => {
    const a = sourceText(3_000);
    const b = sourceText(2_000);
    const joined = countTokens(a + b);
    expect(Math.abs(joined - (countTokens(a) + countTokens(b)))).toBeLessThanOrEqual(2);
  });

  it('estimates texts over the exact limit by sampling, erring high and staying close', () => {
    const text = sourceText(EXACT_COUNT_LIMIT + 200_000);
    expect(isApproximateCount(text)).toBe(true);
    expect(isApproximateCount(text.slice(0, EXACT_COUNT_LIMIT))).toBe(false);
    // The exact count of the whole, assembled from exact counts of line-aligned chunks below the limit.
    let truth = 0;
    for (let start = 0; start < text.length;) {
      let end = Math.min(text.length, start + 200_000);
      const newline = text.indexOf('\n', end - 1);
      end = newline === -1 ? text.length : newline + 1;
      truth += countTokens(text.slice(start, end));
      start = end;
    }
    const estimate = countTokens(text);
    expect(estimate).toBeGreaterThanOrEqual(truth);
    expect(estimate).toBeLessThanOrEqual(Math.ceil(truth * 1.12));
  });

  it('counts 10 MB in well under a second', () => {
    const text = sourceText(100_000).repeat(100);
    const started = performance.now();
    const count = countTokens(text);
    const elapsed = performance.now() - started;
    expect(count).toBeGreaterThanOrEqual(countTokens(sourceText(100_000)) * 100);
    expect(elapsed).toBeLessThan(1_000);
  });
});
