import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunk, slugify } from './index.js';

describe('slugify', () => {
  it('lowers case, drops accents and joins words with dashes', () => {
    assert.equal(slugify('  Crème Brûlée: a Recipe! '), 'creme-brulee-a-recipe');
  });

  it('gives an empty slug for a title without letters or digits', () => {
    assert.equal(slugify('!!!'), '');
  });
});

describe('chunk', () => {
  it('splits into runs of the given size, the last one shorter', () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  });

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => chunk([1], 0), RangeError);
  });
});
