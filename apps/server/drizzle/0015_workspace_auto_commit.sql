-- Owners of a git-backed workspace can have each accepted AI task committed on its own, its prompt as the message;
-- off by default, so nothing is committed that a person did not ask for.
ALTER TABLE "workspaces" ADD COLUMN "auto_commit" boolean DEFAULT false NOT NULL;