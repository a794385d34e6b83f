/**
 * A replay must run what was recorded. The writer keeps a SHA-256 of every input (the `artifacts`
 * rows: kernel, firmware, initrd, disk image, line table) and of the machine configuration
 * (`meta.config_sha256`), and one digest over all of them (`meta.inputs_sha256`), so replacing an
 * input's bytes, its row (bytes and hash together), adding or removing one, or editing the
 * configuration is seen before anything runs, and reported in one line naming what differs.
 * Recordings written before these two keys existed still replay; their artifact bytes are checked
 * against the artifact's own hash (always stored), their configuration cannot be.
 */
import { createHash } from 'node:crypto'
import { err, ok, type Result } from '../../shared/api/result'
import { META } from './schema'
import type { DiskBase } from '../machine/devices/cow-disk'

/** A disk image is hashed in chunks this size (images can be gigabytes). */
const DISK_HASH_CHUNK_BYTES = 1 << 20

export interface ArtifactIdentity {
  name: string
  role: string
  sha256: string
  size: number
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** SHA-256 of a whole disk image, read in chunks. */
export function diskSha256(disk: DiskBase): string {
  const hash = createHash('sha256')
  const chunk = new Uint8Array(DISK_HASH_CHUNK_BYTES)
  for (let at = 0; at < disk.sizeBytes; at += chunk.length) {
    disk.read(at, chunk)
    hash.update(chunk.subarray(0, Math.min(chunk.length, disk.sizeBytes - at)))
  }
  return hash.digest('hex')
}

/** The digest over the configuration's hash and every artifact's identity, in name order. */
export function inputsDigest(configSha256: string, artifacts: readonly ArtifactIdentity[]): string {
  const lines = [...artifacts]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => `${a.role}\t${a.name}\t${a.size}\t${a.sha256}`)
  return sha256(`config\t${configSha256}\n${lines.join('\n')}\n`)
}

/** What the writer stores in `meta` once every artifact is written. */
export function sealedInputs(configJson: string, artifacts: readonly ArtifactIdentity[]): Record<string, string> {
  const config = sha256(configJson)
  return { [META.configSha256]: config, [META.inputsSha256]: inputsDigest(config, artifacts) }
}

/** What a reader of the file gives the check. */
export interface RecordedInputs {
  meta: Record<string, string>
  artifacts: readonly ArtifactIdentity[]
  /** The bytes of an artifact the recording keeps (undefined: identity only). */
  bytesOf(name: string): Uint8Array | null | undefined
}

/**
 * Checks a recording's inputs against their hashes. `checked` false: the file predates the
 * configuration and inputs digests (its artifact bytes were still checked).
 */
export function checkInputs(rec: RecordedInputs): Result<{ checked: boolean }> {
  const changed = (what: string) =>
    err('replay.input_mismatch', `the recording was changed after it was written: ${what}; replaying it would not show the recorded boot`, {
      hint: 'record the boot again',
    })
  for (const a of rec.artifacts) {
    const bytes = rec.bytesOf(a.name)
    if (!bytes) continue
    const actual = sha256(bytes)
    if (actual !== a.sha256 || bytes.length !== a.size) {
      return changed(`its ${a.role} '${a.name}' does not match the hash recorded with it (sha256 ${a.sha256.slice(0, 12)}…, ${a.size} bytes; the bytes there hash to ${actual.slice(0, 12)}…, ${bytes.length} bytes)`)
    }
  }
  const configSha = rec.meta[META.configSha256]
  const digest = rec.meta[META.inputsSha256]
  if (configSha === undefined && digest === undefined) return ok({ checked: false })
  if (configSha === undefined || digest === undefined) return changed(`one of its input hashes (${configSha === undefined ? META.configSha256 : META.inputsSha256}) is missing`)
  const actualConfig = sha256(rec.meta[META.config] ?? '')
  if (actualConfig !== configSha) return changed(`its machine configuration (meta.config) does not match its hash (sha256 ${configSha.slice(0, 12)}…; it hashes to ${actualConfig.slice(0, 12)}…)`)
  if (inputsDigest(configSha, rec.artifacts) !== digest) return changed('its list of inputs (the artifacts table: an input added, removed, or replaced together with its hash) does not match the digest recorded with it')
  return ok({ checked: true })
}
