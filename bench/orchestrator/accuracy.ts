// Edit-application accuracy on real diffs: every corpus block, clean and perturbed, goes through the production
// parser and `applyEdits`, and counts as exact only when the file comes out byte-identical to the real edit.
import { applyEdits, parseEdits } from '../../packages/core/src/edits/index.ts';
import type { BenchResult } from '../stats.ts';
import { round } from '../stats.ts';
import type { Corpus } from './git-corpus.ts';
import { answerText, perturbations, seededRandom, type AnswerOptions, type Block } from './perturb.ts';

type Outcome = 'exact' | 'wrong' | 'ambiguous' | 'no-match' | 'parse' | 'other';

interface Tally {
  cases: number;
  notApplicable: number;
  outcomes: Record<Outcome, number>;
  rungs: Record<string, number>;
}

const newTally = (): Tally => ({
  cases: 0,
  notApplicable: 0,
  outcomes: { exact: 0, wrong: 0, ambiguous: 0, 'no-match': 0, parse: 0, other: 0 },
  rungs: {},
});

/** Parses the answer and applies its edits to `before`; returns how it went against `expected`. */
function attempt(
  path: string,
  before: string,
  blocks: readonly Block[],
  options: AnswerOptions,
  expected: string,
): { outcome: Outcome; rungs: string[] } {
  const parsed = parseEdits(answerText(blocks, options));
  if (parsed.problems.length > 0 || parsed.edits.length !== blocks.length)
    return { outcome: 'parse', rungs: [] };
  const applied = applyEdits(new Map([[path, before]]), parsed.edits);
  const rungs: string[] = [];
  for (const result of applied.results) {
    if (result.status === 'failed') {
      if (result.code === 'EDIT_AMBIGUOUS') return { outcome: 'ambiguous', rungs };
      if (result.code === 'EDIT_NO_MATCH') return { outcome: 'no-match', rungs };
      return { outcome: 'other', rungs };
    }
    rungs.push(result.rung ?? 'none');
  }
  return { outcome: applied.files.get(path) === expected ? 'exact' : 'wrong', rungs };
}

function row(tally: Tally, extra: BenchResult = {}): BenchResult {
  const { outcomes } = tally;
  return {
    cases: tally.cases,
    'exact %': tally.cases === 0 ? NaN : round((outcomes.exact / tally.cases) * 100, 1),
    wrong: outcomes.wrong,
    ambiguous: outcomes.ambiguous,
    'no-match': outcomes['no-match'],
    'parse/other': outcomes.parse + outcomes.other,
    'n/a': tally.notApplicable,
    rungs: Object.entries(tally.rungs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([rung, n]) => `${rung}:${n}`)
      .join(' '),
    ...extra,
  };
}

export function measureAccuracy(corpus: Corpus): Record<string, BenchResult> {
  const results: Record<string, BenchResult> = {};
  const failures: string[] = [];
  for (const perturbation of perturbations) {
    const tally = newTally();
    const random = seededRandom(0x7a4d3);
    for (const item of corpus.blocks) {
      const block = perturbation.block(
        { path: item.path, search: item.search, replace: item.replace },
        random,
      );
      if (block === undefined) {
        tally.notApplicable++;
        continue;
      }
      tally.cases++;
      const { outcome, rungs } = attempt(item.path, item.before, [block], perturbation.answer, item.expected);
      tally.outcomes[outcome]++;
      for (const rung of rungs) tally.rungs[rung] = (tally.rungs[rung] ?? 0) + 1;
      if (outcome !== 'exact' && failures.length < 12) {
        failures.push(`${perturbation.name}: ${outcome} at ${item.commit.slice(0, 7)} ${item.path}`);
      }
    }
    results[perturbation.name] = row(tally);
  }

  // Whole commits: all blocks of a file in one answer, applied in order, must give the committed file.
  const whole = newTally();
  for (const file of corpus.files) {
    whole.cases++;
    const blocks = file.blocks.map((b) => ({ path: file.path, ...b }));
    const { outcome, rungs } = attempt(file.path, file.before, blocks, {}, file.after);
    whole.outcomes[outcome]++;
    for (const rung of rungs) whole.rungs[rung] = (whole.rungs[rung] ?? 0) + 1;
    if (outcome !== 'exact' && failures.length < 12) {
      failures.push(`whole file: ${outcome} at ${file.commit.slice(0, 7)} ${file.path}`);
    }
  }
  results['whole commit per file (all blocks)'] = row(whole);
  if (failures.length > 0) console.log(`accuracy: first non-exact cases:\n  ${failures.join('\n  ')}`);
  return results;
}
