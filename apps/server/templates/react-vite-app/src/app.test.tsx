import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { App } from './app.js';
import { tally } from './tally.js';

describe('tally', () => {
  it('counts up and down within its bounds', () => {
    let state = { count: 0, min: 0, max: 2 };
    state = tally(state, { type: 'decrement' });
    assert.equal(state.count, 0);
    state = tally(tally(tally(state, { type: 'increment' }), { type: 'increment' }), { type: 'increment' });
    assert.equal(state.count, 2);
    assert.equal(tally(state, { type: 'reset' }).count, 0);
  });
});

describe('App', () => {
  it('renders the count and its bound, with "Less" disabled at the start', () => {
    const html = renderToStaticMarkup(<App max={5} />);
    assert.match(html, /Count: <output>0<\/output> of 5/);
    assert.match(html, /<button type="button" disabled="">Less<\/button>/);
  });
});
