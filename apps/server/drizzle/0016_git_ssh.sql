-- SSH remotes: a deploy key is a git credential of kind 'ssh-key' whose public key line is kept beside the sealed
-- private key (to show and copy), and a remote records its SSH host key on connect (trust on first use) so a changed
-- key is refused afterwards.
ALTER TABLE "git_credentials" ADD COLUMN "public_key" text;--> statement-breakpoint
ALTER TABLE "git_remotes" ADD COLUMN "known_hosts" text;