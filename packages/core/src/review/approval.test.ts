import { describe, expect, it } from 'vitest';
import { approvalState, currentVerdicts, type VerdictEntry } from './approval.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));

describe('approval', () => {
  it('needs an approval', () => {
    expect(approvalState([], 'author')).toMatchObject({ approved: false, approvedBy: [] });
    expect(approvalState([{ userId: 'r', verdict: 'approve', at: at(1) }], 'author')).toEqual({
      approved: true,
      approvedBy: ['r'],
      changesRequestedBy: [],
      reason: null,
    });
  });

  it("does not count the author's own approval", () => {
    const state = approvalState([{ userId: 'author', verdict: 'approve', at: at(1) }], 'author');
    expect(state.approved).toBe(false);
    expect(state.reason).toMatch(/someone other than/);
  });

  it("uses each member's latest verdict: a later approval lifts their request for changes", () => {
    const history: VerdictEntry[] = [
      { userId: 'r', verdict: 'request-changes', at: at(1) },
      { userId: 'e', verdict: 'approve', at: at(2) },
    ];
    expect(approvalState(history, 'author')).toMatchObject({ approved: false, changesRequestedBy: ['r'] });
    const later = [...history, { userId: 'r', verdict: 'approve' as const, at: at(3) }];
    expect(approvalState(later, 'author')).toMatchObject({ approved: true, approvedBy: ['e', 'r'] });
    expect(currentVerdicts(later).map((v) => `${v.userId}:${v.verdict}`)).toEqual(['e:approve', 'r:approve']);
  });

  it('an approval withdrawn into a request for changes blocks again', () => {
    const history: VerdictEntry[] = [
      { userId: 'r', verdict: 'approve', at: at(1) },
      { userId: 'r', verdict: 'request-changes', at: at(2) },
    ];
    expect(approvalState(history, null).approved).toBe(false);
  });

  it('counts only the verdicts on the current revision: a follow-up needs its own review', () => {
    const history: VerdictEntry[] = [
      { userId: 'r', verdict: 'approve', at: at(1), revision: 1 },
      { userId: 'e', verdict: 'request-changes', at: at(2), revision: 1 },
    ];
    expect(approvalState(history, 'author', 1)).toMatchObject({ approved: false, changesRequestedBy: ['e'] });
    // Revision 2 starts clean: the old request for changes no longer blocks, and the old approval does not count.
    const fresh = approvalState(history, 'author', 2);
    expect(fresh).toMatchObject({ approved: false, approvedBy: [], changesRequestedBy: [] });
    expect(fresh.reason).toMatch(/^Revision 2 needs an approval of its own/);
    const approved = [...history, { userId: 'e', verdict: 'approve' as const, at: at(3), revision: 2 }];
    expect(approvalState(approved, 'author', 2)).toMatchObject({ approved: true, approvedBy: ['e'] });
  });
});
