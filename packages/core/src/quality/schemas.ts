import { z } from 'zod';
import { taskRef } from '../tasks/schemas.ts';

export const taskRatings = ['up', 'down'] as const;
export type TaskRating = (typeof taskRatings)[number];

export const rateTaskInput = taskRef.extend({
  rating: z.enum(taskRatings),
  note: z.string().trim().max(2_000, 'Keep the note under 2,000 characters').optional(),
});
export type RateTaskInput = z.infer<typeof rateTaskInput>;

export const qualityBuckets = ['day', 'week'] as const;
export type QualityBucket = (typeof qualityBuckets)[number];

export const qualityInput = z
  .object({
    from: z.date().optional(),
    to: z.date().optional(),
    bucket: z.enum(qualityBuckets).default('day'),
  })
  .refine((i) => !i.from || !i.to || i.from <= i.to, { message: '`from` must not be after `to`' });
export type QualityInput = z.infer<typeof qualityInput>;
