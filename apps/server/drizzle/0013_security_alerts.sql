-- Security monitoring: alerts the admin console shows live and acknowledges; the partial unique index keeps one
-- open alert per kind and subject, so repeated occurrences count up instead of piling up rows.
CREATE TABLE "security_alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "security_alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "security_alerts_open_idx" ON "security_alerts" USING btree ("kind","subject") WHERE "security_alerts"."acknowledged_at" is null;--> statement-breakpoint
CREATE INDEX "security_alerts_last_seen_idx" ON "security_alerts" USING btree ("last_seen");