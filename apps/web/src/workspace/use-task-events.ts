// A task's event log, live: the subscription replays from the start and then follows; wsLink resumes from the
// last tracked id after a reconnect, so the story arrives whole, in order, once — also after a page reload.
import type { TimelineEvent } from '@tandem/ui/timeline-format';
import { useEffect, useState } from 'react';
import { trpcClient } from '../trpc.ts';

export function useTaskEvents(taskId: string | null): { events: TimelineEvent[]; error: unknown } {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setEvents([]);
    setError(null);
    if (!taskId) return;
    let buffer: TimelineEvent[] = [];
    let frame = 0;
    let lastSeq = 0;
    // Output tokens can arrive hundreds per second: render at most every 16 ms (timers, not animation frames, so a background tab keeps up).
    const flush = () => {
      frame = 0;
      const batch = buffer;
      buffer = [];
      setEvents((list) => [...list, ...batch]);
    };
    const sub = trpcClient.task.events.subscribe(
      { taskId, lastEventId: null },
      {
        onData: (tracked) => {
          const event = tracked.data as unknown as TimelineEvent;
          if (event.seq <= lastSeq) return;
          lastSeq = event.seq;
          buffer.push(event);
          frame ||= window.setTimeout(flush, 16);
        },
        onError: (err) => setError(err),
      },
    );
    return () => {
      if (frame) clearTimeout(frame);
      sub.unsubscribe();
    };
  }, [taskId]);
  return { events, error };
}
