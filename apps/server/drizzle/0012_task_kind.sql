-- A task is an AI task or a git pull: a pull's remote changes are merged into the live files and reviewed like an
-- AI change, but it has no prompt for a model to run again or continue.
ALTER TABLE "tasks" ADD COLUMN "kind" text DEFAULT 'ai' NOT NULL;