// The audit log in words for the admin console and its CSV export: what each action means, its details as
// "key: value" pairs, and CSV that a spreadsheet opens safely.

const actionLabels: Record<string, string> = {
  'auth.sign_up': 'Signed up',
  'auth.sign_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'auth.sign_out': 'Signed out',
  'auth.sign_out_everywhere': 'Signed out everywhere',
  'admin.grant': 'Made admin',
  'admin.revoke': 'Admin revoked',
  'user.reset_link': 'Issued a password reset link',
  'user.password_reset': 'Reset their password',
  'user.disable': 'Disabled an account',
  'user.enable': 'Enabled an account',
  'workspace.create': 'Created a workspace',
  'workspace.rename': 'Renamed a workspace',
  'workspace.archive': 'Archived a workspace',
  'workspace.unarchive': 'Restored a workspace',
  'workspace.auto_apply': 'Changed auto-apply',
  'workspace.delete': 'Deleted a workspace',
  'workspace.upload': 'Uploaded an archive',
  'workspace.download': 'Downloaded the workspace',
  'invite.create': 'Created an invite link',
  'invite.accept': 'Joined by invite',
  'invite.revoke': 'Revoked an invite link',
  'member.role_change': 'Changed a role',
  'member.remove': 'Removed a member',
  'member.leave': 'Left a workspace',
  'settings.llm': 'Changed the model provider',
  'settings.cost': 'Changed quotas and budgets',
  'settings.prices': 'Changed model prices',
  'settings.features': 'Changed the feature flags',
  'settings.limits': 'Changed the rate limits',
  'settings.security_webhook': 'Changed the security webhook',
  'security.acknowledge': 'Acknowledged a security alert',
  'workspace.features': "Changed a workspace's feature flags",
  'task.accept': 'Accepted AI changes',
  'task.accept_flagged': 'Accepted flagged AI changes',
  'task.reject': 'Rejected AI changes',
  'task.resolve_conflict': 'Resolved a conflict',
  'task.rollback': 'Rolled back a task',
  'task.rate': 'Rated a task',
  'git.credential_create': 'Added a git credential',
  'git.credential_rotate': 'Replaced a git deploy key',
  'git.credential_delete': 'Deleted a git credential',
  'git.connect': 'Connected a git remote',
  'git.host_key_trust': "Accepted an SSH host's new key",
  'git.commit': 'Committed',
  'git.push': 'Pushed',
  'git.pull': 'Pulled',
  'git.auto_commit': 'Changed auto-commit',
  'git.auto_commit_failed': 'Auto-commit failed',
  'check.run': 'Ran the checks',
};

/** The action in words; an action this list does not know is shown as recorded. */
export function auditActionLabel(action: string): string {
  return actionLabels[action] ?? action;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return JSON.stringify(value);
}

/** An entry's details as `key: value` pairs, in the order recorded, with camelCase keys as words. */
export function auditDetailsText(meta: Record<string, unknown>): string {
  return Object.entries(meta)
    .map(([key, value]) => `${key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${valueText(value)}`)
    .join(' · ');
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break; a cell a spreadsheet would read as a formula
 * (=, +, -, @, tab, carriage return first) gets a leading apostrophe, so an exported log cannot run anything.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
