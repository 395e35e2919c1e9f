// Token counting for context budgets, with the cl100k_base BPE (js-tiktoken). No tokenizer matches every model;
// cl100k counts code within a few percent of the newer OpenAI vocabularies and errs high for other text, which
// is the safe side for a budget. It also loads in half the time of o200k_base.
//
// js-tiktoken re-encodes every pre-tokenizer piece from scratch (UTF-8 bytes, string keys, BPE merge), about
// 1 MB/s. Source code repeats the same pieces endlessly, so we split with the vocabulary's own pattern and
// memoize the token count per piece: the sum is identical to `encode(text).length`, roughly 20x faster.
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';

/** Texts longer than this (in UTF-16 units) are counted from evenly spaced samples instead of in full. */
export const EXACT_COUNT_LIMIT = 1_000_000;
const SAMPLE_WINDOWS = 64;
const SAMPLE_WINDOW_CHARS = 4_096;
/** Sampled counts are rounded up by this factor so an estimate leans towards over-counting. */
const SAMPLE_SAFETY = 1.05;

// Pieces are short (words, punctuation runs, indentation); long ones are rare and not worth remembering.
const MAX_CACHED_PIECE = 64;
const MAX_CACHED_PIECES = 200_000;
// Whole-text results, so a snapshot counted again (reflection rounds, the next task) costs a lookup.
const MIN_CACHED_TEXT = 2_048;
const MAX_CACHED_TEXTS = 4_096;
const MAX_CACHED_TEXT_CHARS = 16_000_000;

let encoder: Tiktoken | undefined;
let splitter: RegExp | undefined;
const pieceCounts = new Map<string, number>();
const textCounts = new Map<string, number>();
let cachedTextChars = 0;

function getEncoder(): { encoder: Tiktoken; splitter: RegExp } {
  if (encoder === undefined || splitter === undefined) {
    encoder = new Tiktoken(cl100k);
    splitter = new RegExp(cl100k.pat_str, 'gu');
  }
  return { encoder, splitter };
}

/**
 * Builds the tokenizer's rank table now (about half a second) instead of on the first count; a server calls
 * this at start-up so the first task does not pay for it.
 */
export function warmTokenizer(): void {
  getEncoder();
}

function countPieces(text: string): number {
  const { encoder: enc, splitter: pattern } = getEncoder();
  let total = 0;
  // A fresh RegExp per call would recompile the pattern; the shared one is reset instead (counting is sync).
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const piece = match[0];
    if (piece.length === 0) {
      pattern.lastIndex += 1;
      continue;
    }
    const known = pieceCounts.get(piece);
    if (known !== undefined) {
      total += known;
      continue;
    }
    // Empty special-token lists: text such as `<|endoftext|>` in a file is ordinary text, not a control token.
    const count = enc.encode(piece, [], []).length;
    if (piece.length <= MAX_CACHED_PIECE) {
      if (pieceCounts.size >= MAX_CACHED_PIECES) pieceCounts.clear();
      pieceCounts.set(piece, count);
    }
    total += count;
  }
  return total;
}

/** Moves `index` forward to the start of the next line, so a sample does not begin inside a word. */
function lineStartAtOrAfter(text: string, index: number): number {
  if (index <= 0) return 0;
  const newline = text.indexOf('\n', index - 1);
  return newline === -1 || newline - index > 256 ? index : newline + 1;
}

function estimateBySampling(text: string): number {
  const stride = Math.floor(text.length / SAMPLE_WINDOWS);
  let sampledChars = 0;
  let sampledTokens = 0;
  for (let i = 0; i < SAMPLE_WINDOWS; i += 1) {
    const start = lineStartAtOrAfter(text, i * stride);
    const window = text.slice(start, start + SAMPLE_WINDOW_CHARS);
    sampledChars += window.length;
    sampledTokens += countPieces(window);
  }
  if (sampledChars === 0) return 0;
  return Math.ceil((sampledTokens / sampledChars) * text.length * SAMPLE_SAFETY);
}

function remember(text: string, count: number): void {
  if (text.length < MIN_CACHED_TEXT || text.length > MAX_CACHED_TEXT_CHARS / 4) return;
  if (textCounts.size >= MAX_CACHED_TEXTS || cachedTextChars + text.length > MAX_CACHED_TEXT_CHARS) {
    // Oldest first: a Map iterates in insertion order, and hits are re-inserted below.
    for (const key of textCounts.keys()) {
      textCounts.delete(key);
      cachedTextChars -= key.length;
      if (textCounts.size < MAX_CACHED_TEXTS && cachedTextChars + text.length <= MAX_CACHED_TEXT_CHARS) break;
    }
  }
  textCounts.set(text, count);
  cachedTextChars += text.length;
}

/**
 * The number of cl100k_base tokens in `text`. Exact up to `EXACT_COUNT_LIMIT` characters; longer texts are
 * estimated from 64 line-aligned samples and rounded up by 5%, so they may over-count but rarely under-count.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length >= MIN_CACHED_TEXT) {
    const known = textCounts.get(text);
    if (known !== undefined) {
      textCounts.delete(text);
      textCounts.set(text, known);
      return known;
    }
  }
  const count = text.length > EXACT_COUNT_LIMIT ? estimateBySampling(text) : countPieces(text);
  remember(text, count);
  return count;
}

/** True when `countTokens` returns an estimate rather than an exact count for a text of this length. */
export function isApproximateCount(text: string): boolean {
  return text.length > EXACT_COUNT_LIMIT;
}
