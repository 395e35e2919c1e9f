/** The state of the counter: a count that stays within its bounds. */
export interface Tally {
  count: number;
  min: number;
  max: number;
}

export type TallyAction = { type: 'increment' } | { type: 'decrement' } | { type: 'reset' };

export function tally(state: Tally, action: TallyAction): Tally {
  switch (action.type) {
    case 'increment':
      return { ...state, count: Math.min(state.max, state.count + 1) };
    case 'decrement':
      return { ...state, count: Math.max(state.min, state.count - 1) };
    case 'reset':
      return { ...state, count: 0 };
  }
}
