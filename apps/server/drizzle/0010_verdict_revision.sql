-- A verdict is on one revision of its task: a follow-up's new revision needs its own review.
ALTER TABLE "review_verdicts" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;