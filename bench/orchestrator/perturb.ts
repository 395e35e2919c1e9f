// The ways models garble a SEARCH/REPLACE block that the matching ladder claims to absorb (exact, then
// trailing-whitespace tolerant with blank edges trimmed, then uniformly re-indented), plus the answer-level slips
// the parser tolerates. Tabs-for-spaces is left out on purpose: the ladder does not claim it.

export interface Block {
  path: string;
  search: string;
  replace: string;
}

export interface AnswerOptions {
  crlf?: boolean;
  missingFinalFence?: boolean;
}

export interface Perturbation {
  name: string;
  /** The block as the model would write it, or undefined when the perturbation does not apply to it. */
  block: (block: Block, random: () => number) => Block | undefined;
  answer: AnswerOptions;
}

const FENCE = '```';

/** The answer a model gives: a sentence of prose, then each block under its path line in a ts fence. */
export function answerText(blocks: readonly Block[], options: AnswerOptions = {}): string {
  const parts = ['Here are the changes.\n'];
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1;
    const close = last && options.missingFinalFence === true ? '' : `${FENCE}\n`;
    parts.push(
      `\n${b.path}\n${FENCE}ts\n<<<<<<< SEARCH\n${b.search}=======\n${b.replace}>>>>>>> REPLACE\n${close}`,
    );
  });
  const text = parts.join('');
  return options.crlf === true ? text.replaceAll('\n', '\r\n') : text;
}

const lines = (text: string): string[] => (text === '' ? [] : text.slice(0, -1).split('\n'));
const unlines = (ls: readonly string[]): string => ls.map((l) => `${l}\n`).join('');
const mapLines = (text: string, f: (line: string, i: number) => string): string =>
  unlines(lines(text).map(f));
const isBlank = (line: string): boolean => line.trim() === '';

function commonIndent(texts: readonly string[]): string {
  let common: string | undefined;
  for (const text of texts) {
    for (const line of lines(text)) {
      if (isBlank(line)) continue;
      const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
      if (common === undefined) common = indent;
      else {
        let k = 0;
        while (k < common.length && k < indent.length && common[k] === indent[k]) k++;
        common = common.slice(0, k);
      }
    }
  }
  return common ?? '';
}

const TRAILING = [' ', '  ', '\t', '   '];

export const perturbations: Perturbation[] = [
  { name: 'exact (well-formed)', block: (b) => b, answer: {} },
  {
    // Only the SEARCH side: what the model quotes must match the file; what it writes is its own text.
    name: 'trailing whitespace in SEARCH',
    block: (b, random) => ({
      ...b,
      search: mapLines(b.search, (l) =>
        random() < 0.5 ? l + (TRAILING[Math.floor(random() * 4)] ?? ' ') : l,
      ),
    }),
    answer: {},
  },
  { name: 'CRLF line endings', block: (b) => b, answer: { crlf: true } },
  {
    name: 'indentation lost (uniform)',
    block: (b) => {
      const indent = commonIndent([b.search, b.replace]);
      if (indent === '') return undefined;
      const strip = (l: string) => (isBlank(l) ? l : l.slice(indent.length));
      return { ...b, search: mapLines(b.search, strip), replace: mapLines(b.replace, strip) };
    },
    answer: {},
  },
  {
    name: 'indentation extra (uniform)',
    block: (b) => {
      const add = (l: string) => (isBlank(l) ? l : `  ${l}`);
      return { ...b, search: mapLines(b.search, add), replace: mapLines(b.replace, add) };
    },
    answer: {},
  },
  {
    name: 'blank lines around the block',
    block: (b) => ({ ...b, search: `\n${b.search}\n`, replace: `\n${b.replace}\n` }),
    answer: {},
  },
  { name: 'missing final fence', block: (b) => b, answer: { missingFinalFence: true } },
  {
    name: 'combined: CRLF + trailing ws + indent lost',
    block: (b, random) => {
      const indent = commonIndent([b.search, b.replace]);
      if (indent === '') return undefined;
      const strip = (l: string) => (isBlank(l) ? l : l.slice(indent.length));
      return {
        ...b,
        search: mapLines(b.search, (l) => strip(l) + (random() < 0.5 ? ' ' : '')),
        replace: mapLines(b.replace, strip),
      };
    },
    answer: { crlf: true },
  },
];

/** mulberry32: a small seeded generator, so every run perturbs the same way. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
