/**
 * The recording file's schema: one SQLite file per boot, documented in docs/trace-format.md so a
 * user can open it with any SQLite tool. `SCHEMA_VERSION` changes whenever a table changes; a
 * reader refuses a file from a newer version with a clear message instead of misreading it.
 */

export const SCHEMA_VERSION = 1

/** DDL of version 1. Later issues add the event, segment and checkpoint tables here. */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL,
  written_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`

/** Keys of the `meta` table. */
export const META = {
  createdAt: 'created_at',
  kernel: 'kernel',
  steps: 'steps',
  outcome: 'outcome',
  config: 'config',
} as const
