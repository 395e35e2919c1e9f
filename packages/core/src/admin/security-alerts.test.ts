import { describe, expect, it } from 'vitest';
import {
  adminSecurityListInput,
  SecurityDetector,
  securityWebhookInput,
  SpikeDetector,
} from './security-alerts.ts';

describe('SpikeDetector', () => {
  it('fires once when the window reaches the threshold, then starts counting again', () => {
    const spikes = new SpikeDetector({ count: 3, windowMs: 1000 });
    expect([spikes.hit('a', 0), spikes.hit('a', 10), spikes.hit('a', 20)]).toEqual([false, false, true]);
    expect([spikes.hit('a', 30), spikes.hit('a', 40)]).toEqual([false, false]);
    expect(spikes.hit('a', 50)).toBe(true);
  });

  it('forgets events older than the window and keeps subjects apart', () => {
    const spikes = new SpikeDetector({ count: 2, windowMs: 100 });
    expect(spikes.hit('a', 0)).toBe(false);
    expect(spikes.hit('b', 50)).toBe(false);
    expect(spikes.hit('a', 150)).toBe(false);
    expect(spikes.hit('a', 200)).toBe(true);
  });

  it('holds at most maxSubjects windows, dropping the least recently seen', () => {
    const spikes = new SpikeDetector({ count: 3, windowMs: 1000 }, 2);
    spikes.hit('a', 0);
    spikes.hit('b', 1);
    spikes.hit('b', 2);
    spikes.hit('a', 3);
    spikes.hit('c', 4);
    expect(spikes.size).toBe(2);
    // `b` was dropped, so its third event starts a new window; `a`, seen after it, was kept.
    expect(spikes.hit('b', 5)).toBe(false);
  });
});

describe('SecurityDetector', () => {
  it('raises per-IP and per-account spikes at their own thresholds', () => {
    const detector = new SecurityDetector();
    const kinds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const email = i < 5 ? 'victim@example.com' : `other${i}@example.com`;
      kinds.push(
        ...detector.observe({ type: 'sign_in_failed', ip: '203.0.113.9', email }, i).map((a) => a.kind),
      );
    }
    expect(kinds).toEqual(['sign_in_failures_account', 'sign_in_failures_ip']);
  });

  it('raises a storm only past many rate-limit rejections of one limit', () => {
    const detector = new SecurityDetector({
      signInFailuresPerIp: { count: 10, windowMs: 1000 },
      signInFailuresPerAccount: { count: 5, windowMs: 1000 },
      rateLimitRejections: { count: 3, windowMs: 1000 },
    });
    const raised = [1, 2, 3].flatMap((t) =>
      detector.observe({ type: 'rate_limited', limit: 'signInPerIp' }, t),
    );
    expect(raised).toEqual([
      { kind: 'rate_limit_storm', subject: 'signInPerIp', details: { rejections: 3, windowSeconds: 1 } },
    ]);
  });

  it('raises single events at once, with their subject', () => {
    const detector = new SecurityDetector();
    expect(detector.observe({ type: 'admin_change', userId: 'u1', granted: true, actorId: 'u0' }, 0)).toEqual(
      [{ kind: 'admin_change', subject: 'u1', details: { granted: true, actorId: 'u0' } }],
    );
    expect(
      detector.observe(
        { type: 'disabled_sign_in', email: 'x@example.com', userId: 'u2', ip: '1.2.3.4' },
        0,
      )[0]?.subject,
    ).toBe('x@example.com');
    expect(detector.observe({ type: 'sandbox_refused', reason: 'bwrap missing' }, 0)[0]?.kind).toBe(
      'sandbox_refused',
    );
  });
});

describe('schemas', () => {
  it('takes http(s) webhook URLs only, and a secret of 16 characters or more', () => {
    expect(securityWebhookInput.safeParse({ url: 'https://hooks.example.com/x' }).success).toBe(true);
    expect(securityWebhookInput.safeParse({ url: null }).success).toBe(true);
    expect(securityWebhookInput.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(securityWebhookInput.safeParse({ url: 'https://a.example', secret: 'short' }).success).toBe(false);
    expect(adminSecurityListInput.parse(undefined)).toEqual({ includeAcknowledged: false, limit: 100 });
  });
});
