-- Tasks carry the instance that holds them and a lease it renews, so a task stranded by a crashed instance can be
-- told from one a live instance is running, and recovered.
ALTER TABLE "tasks" ADD COLUMN "owner_instance" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "tasks_unfinished_lease_idx" ON "tasks" USING btree ("lease_until") WHERE "tasks"."state" in ('queued', 'running');