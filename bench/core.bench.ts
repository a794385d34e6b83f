/**
 * The foundation's costs: a request's round trip from the main thread through the core worker to
 * SQLite and back, and packing trace records into SQLite BLOB segments (the recorder's write path,
 * ARCHITECTURE.md "Never one row per instruction") against one row per record.
 */
import Database from 'better-sqlite3'
import { CoreWorker } from '../src/main/host/core-worker'
import type { BenchResult } from './bench-types'

async function workerRoundTrip(): Promise<BenchResult> {
  const core = new CoreWorker()
  await core.whenReady()
  for (let i = 0; i < 50; i++) await core.request('core.info', {})
  const n = 500
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await core.request('core.info', {})
  const perCall = (performance.now() - t0) / n
  await core.dispose()
  return { name: 'request round trip through the core worker (core.info, SQLite query)', value: perCall * 1000, unit: 'µs', goal: '≤ 1000 µs' , met: perCall < 1 }
}

function sqliteThroughput(): BenchResult {
  const RECORD_BYTES = 16
  const records = 2_000_000
  const blobDb = new Database(':memory:')
  blobDb.exec('CREATE TABLE seg (id INTEGER PRIMARY KEY, data BLOB)')
  const insBlob = blobDb.prepare('INSERT INTO seg (data) VALUES (?)')
  const chunk = Buffer.alloc(64 * 1024)
  const perChunk = chunk.length / RECORD_BYTES
  let t0 = performance.now()
  blobDb.transaction(() => {
    for (let i = 0; i < records / perChunk; i++) insBlob.run(chunk)
  })()
  const blobRate = records / ((performance.now() - t0) / 1000)
  blobDb.close()

  const rowDb = new Database(':memory:')
  rowDb.exec('CREATE TABLE rec (step INTEGER, a INTEGER, b INTEGER)')
  const insRow = rowDb.prepare('INSERT INTO rec VALUES (?, ?, ?)')
  const rowRecords = 200_000
  t0 = performance.now()
  rowDb.transaction(() => {
    for (let i = 0; i < rowRecords; i++) insRow.run(i, i, i)
  })()
  const rowRate = rowRecords / ((performance.now() - t0) / 1000)
  rowDb.close()
  return {
    name: 'trace records into SQLite: 64 KiB BLOB segments (peer: one row per record)',
    value: blobRate / 1e6,
    unit: 'M records/s',
    peer: { name: 'one row per record', value: rowRate / 1e6 },
  }
}

export default async function (): Promise<BenchResult[]> {
  return [await workerRoundTrip(), sqliteThroughput()]
}
