import { useReducer } from 'react';
import { tally } from './tally.js';

export function App({ max = 10 }: { max?: number }) {
  const [state, dispatch] = useReducer(tally, { count: 0, min: 0, max });
  return (
    <main>
      <h1>Counter</h1>
      <p aria-live="polite">
        Count: <output>{state.count}</output> of {state.max}
      </p>
      <button
        type="button"
        onClick={() => dispatch({ type: 'decrement' })}
        disabled={state.count === state.min}
      >
        Less
      </button>
      <button
        type="button"
        onClick={() => dispatch({ type: 'increment' })}
        disabled={state.count === state.max}
      >
        More
      </button>
      <button type="button" onClick={() => dispatch({ type: 'reset' })}>
        Reset
      </button>
    </main>
  );
}
