-- Quality of AI tasks: each task's first run records whether the model's first answer passed, its rounds and its
-- findings by severity; accepted tasks get a survival verdict a day after acceptance (rolled back or rewritten
-- means not survived); members rate finished tasks, one rating each. The admin console charts these per model.
CREATE TABLE "task_ratings" (
	"task_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"rating" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_ratings_task_id_user_id_pk" PRIMARY KEY("task_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "first_round_passed" boolean;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "rounds" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "finding_counts" jsonb;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "rolled_back_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "survived" boolean;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "survival_decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_ratings" ADD CONSTRAINT "task_ratings_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_ratings" ADD CONSTRAINT "task_ratings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_survival_pending_idx" ON "tasks" USING btree ("accepted_at") WHERE "tasks"."accepted_at" is not null and "tasks"."survival_decided_at" is null;