/**
 * The recording file's schema: one SQLite file per boot, documented in docs/trace-format.md so a
 * user can open it with any SQLite tool. `SCHEMA_VERSION` changes whenever a table changes; a
 * reader refuses a file from a newer version with a clear message instead of misreading it.
 * Never one row per instruction: streams are BLOB segments, only semantic events are rows.
 */

export const SCHEMA_VERSION = 1

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER NOT NULL,
  written_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artifacts (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  data BLOB
);
CREATE TABLE IF NOT EXISTS inputs (
  id INTEGER PRIMARY KEY,
  step INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  step INTEGER NOT NULL,
  kind TEXT NOT NULL,
  pc TEXT,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, step);
CREATE INDEX IF NOT EXISTS events_by_step ON events (step);
CREATE TABLE IF NOT EXISTS checkpoints (
  step INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  base_step INTEGER,
  hart BLOB NOT NULL,
  devices TEXT NOT NULL,
  pages BLOB NOT NULL,
  page_count INTEGER NOT NULL,
  written BLOB
);
CREATE TABLE IF NOT EXISTS page_blobs (
  id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
  id INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  records INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_by_stream ON segments (stream, first_step);
CREATE TABLE IF NOT EXISTS disk_blocks (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS disk_images (
  name TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  block_bytes INTEGER NOT NULL,
  blocks BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS disk_writes (
  id INTEGER PRIMARY KEY,
  step INTEGER NOT NULL,
  sector INTEGER NOT NULL,
  block INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS disk_checkpoints (
  step INTEGER PRIMARY KEY,
  writes INTEGER NOT NULL
);
`

/** Keys of the `meta` table. */
export const META = {
  createdAt: 'created_at',
  kernel: 'kernel',
  steps: 'steps',
  outcome: 'outcome',
  config: 'config',
  /** SHA-256 of `config` (see input-hashes.ts); absent in files written before it existed. */
  configSha256: 'config_sha256',
  /** One digest over `config_sha256` and every artifact's role, name, size and SHA-256. */
  inputsSha256: 'inputs_sha256',
  /** Steps between the checkpoints the recorder writes (checkpoint-file.ts); absent when it writes none. */
  checkpointEvery: 'checkpoint_every',
  /**
   * How checkpoint rows and page contents are encoded (checkpoint-file.ts): absent in files written
   * before it existed (every page map full, every page zlib), else `CHECKPOINT_FORMAT`.
   */
  checkpointFormat: 'checkpoint_format',
} as const

/** The artifact holding the build's line table (a JSON array of SourceLine, addresses in hex). */
export const SOURCE_LINES_ARTIFACT = 'source-lines.json'
/** The artifact holding the kernel's DWARF functions and inlined calls (a JSON array of FunctionRange). */
export const FUNCTIONS_ARTIFACT = 'functions.json'
