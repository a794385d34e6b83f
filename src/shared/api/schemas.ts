/**
 * The runtime shape of every request's arguments in `contract.ts`, one valibot schema per request,
 * checked where a request enters the main process (both transports go through `Host.invoke`).
 * Arguments come from another process — the renderer, or anyone who holds the browser-mode
 * token — so a wrong type, a missing field or an unknown one is a `bad_request` error value and
 * never reaches a service. The compile-time check at the bottom keeps each schema equal to its
 * TypeScript type in the contract: change one and the other must follow.
 *
 * Bounds here are about shape (a step is a non-negative whole number, an address is a 64-bit
 * number written in hex or decimal); what a value means (is that file in the workspace, is that
 * step in the recording) is the service's to decide.
 */
import * as v from 'valibot'
import { EVENT_KINDS } from '../trace/events'
import { CHOSEN_FILE_ROLES } from './file-grant'
import { MAX_FIND_PCS } from './replay'
import { ENGINE_NAMES } from './core'
import { err, ok, type Result } from './result'
import type { ArgsOf, RequestName } from './contract'

/** No request argument is a longer string than this, except file contents and imported bytes. */
export const MAX_ARG_STRING = 4096

const NO_ARGS = v.strictObject({})
const shortString = v.pipe(v.string(), v.maxLength(MAX_ARG_STRING, `is longer than ${MAX_ARG_STRING} characters`))
const nonEmpty = v.pipe(shortString, v.minLength(1, 'is empty'))
/** A path as the user wrote it; what it may reach is checked by the workspace. */
const path = v.pipe(
  nonEmpty,
  v.check((s) => !s.includes('\0'), 'contains a NUL character'),
)
const count = (min: number) => v.pipe(v.number(), v.safeInteger('is not a whole number'), v.minValue(min, `is less than ${min}`))
/** `0x…` (up to 16 hex digits) or decimal, below 2^64. */
const address = v.pipe(
  v.string(),
  v.regex(/^(0x[0-9a-f]{1,16}|\d{1,20})$/i, 'is not an address (0x… hex or decimal)'),
  v.check((s) => BigInt(s) < 1n << 64n, 'is larger than 64 bits'),
)

const BOOT_OPTIONS = v.strictObject({
  kernel: v.optional(
    v.variant('kind', [v.strictObject({ kind: v.literal('build') }), v.strictObject({ kind: v.literal('file'), path, rawAddr: v.optional(address) })]),
  ),
  bios: v.optional(v.union([v.picklist(['none', 'builtin']), v.strictObject({ file: path })], "is 'none', 'builtin' or { file: PATH }")),
  initrd: v.optional(v.strictObject({ file: path })),
  append: v.optional(shortString),
  memBytes: v.optional(count(1)),
  maxSteps: v.optional(count(1)),
  strictTlb: v.optional(v.boolean()),
  gdb: v.optional(v.strictObject({ port: v.pipe(count(0), v.maxValue(65535, 'is not a TCP port (0–65535)')) })),
})

const STATE_QUERY = v.strictObject({
  path: nonEmpty,
  step: count(0),
  translate: v.optional(address),
  memory: v.optional(v.strictObject({ address, length: count(0), physical: v.optional(v.boolean()) })),
  disk: v.optional(v.strictObject({ offset: address, length: count(0) })),
  table: v.optional(v.strictObject({ pa: address, level: v.pipe(count(0), v.maxValue(4, 'is more than 4')), vaBase: address })),
  disassembly: v.optional(v.strictObject({ before: count(0), after: count(0), syntax: v.optional(v.picklist(['intel', 'att'])) })),
  descriptorTables: v.optional(v.boolean()),
})

const FIND_QUERY = v.strictObject({
  path: nonEmpty,
  from: count(0),
  direction: v.picklist(['forward', 'backward']),
  target: v.union(
    [
      v.strictObject({ pc: address }),
      v.strictObject({ pcs: v.pipe(v.array(address), v.minLength(1, 'is empty'), v.maxLength(MAX_FIND_PCS, `has more than ${MAX_FIND_PCS} addresses`)) }),
      v.strictObject({ change: v.strictObject({ address, length: count(1), physical: v.optional(v.boolean()) }) }),
    ],
    'is { pc: ADDRESS }, { pcs: [ADDRESS, …] } or { change: { address: ADDRESS, length: N, physical?: BOOLEAN } }',
  ),
  limit: v.optional(count(1)),
})

/** One schema per request of the contract, by name. */
export const REQUEST_SCHEMAS = {
  'app.info': NO_ARGS,
  'engine.set': v.strictObject({ engine: v.picklist(ENGINE_NAMES) }),
  'workspace.get': NO_ARGS,
  'file.read': v.strictObject({ path }),
  'file.write': v.strictObject({ path, text: v.string() }),
  'source.read': v.strictObject({ recording: nonEmpty, file: path }),
  'file.import': v.strictObject({ name: nonEmpty, base64: v.string() }),
  'file.grant': v.strictObject({ path, role: v.picklist(CHOSEN_FILE_ROLES) }),
  'file.choose': v.strictObject({ role: v.picklist(CHOSEN_FILE_ROLES), defaultPath: v.optional(path) }),
  'build.run': v.strictObject({ script: v.optional(path) }),
  'build.cancel': NO_ARGS,
  'boot.start': BOOT_OPTIONS,
  'boot.cancel': v.strictObject({ runId: nonEmpty }),
  'boot.input': v.strictObject({ runId: nonEmpty, text: v.string() }),
  'recording.list': NO_ARGS,
  'recording.open': v.strictObject({ path: nonEmpty }),
  'recording.events': v.strictObject({
    path: nonEmpty,
    kinds: v.optional(v.array(v.picklist(EVENT_KINDS))),
    from: v.optional(count(0)),
    to: v.optional(count(0)),
    limit: v.optional(count(1)),
  }),
  'recording.state': STATE_QUERY,
  'recording.find': FIND_QUERY,
  'lab.list': NO_ARGS,
  'lab.start': v.strictObject({ id: nonEmpty }),
  'lab.current': NO_ARGS,
  'lab.check': NO_ARGS,
  'lab.close': NO_ARGS,
  'example.list': NO_ARGS,
  'example.open': v.strictObject({ id: nonEmpty }),
  'example.close': NO_ARGS,
  'workspace.openFolder': v.strictObject({ path: v.optional(path) }),
  'workspace.home': NO_ARGS,
} satisfies { [N in RequestName]: v.GenericSchema }

/** `at.path: message` for the first problem, the way a user reads it. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const where = v.getDotPath(issue) ?? 'the arguments'
  // Ours, written to follow the field's name: "is empty", "is not an address…", a union's forms.
  if (issue.kind === 'validation' || issue.type === 'union') return `${where} ${issue.message}`
  if (issue.expected === 'never') return `${where} is not an argument of this request`
  if (issue.received === 'undefined') return `${where} is missing`
  return `${where} must be ${issue.expected}, not ${issue.received}`
}

/** The arguments of request `name` when they have its shape, else a `bad_request` error saying what is wrong. */
export function checkRequestArgs<N extends RequestName>(name: N, args: unknown): Result<ArgsOf<N>> {
  if (Array.isArray(args)) return err('bad_request', `request '${name}' takes an object of arguments, not an array`)
  // A pipe stops at its first problem: an address that is not a number is never converted.
  const r = v.safeParse(REQUEST_SCHEMAS[name] as v.GenericSchema, args, { abortPipeEarly: true })
  if (r.success) return ok(r.output as ArgsOf<N>)
  const first = r.issues[0]
  const more = r.issues.length > 1 ? ` (and ${r.issues.length - 1} more)` : ''
  return err('bad_request', `request '${name}': ${describeIssue(first)}${more}`, {
    hint: 'The arguments must have the shape declared in src/shared/api/contract.ts.',
  })
}

// Compile-time: each schema's output is its request's `args` type — assignable both ways, with
// the same top-level keys (so an optional field added on one side only is caught too).
// `Record<string, never>` (no arguments) has the keys of `{}`.
type Keys<T> = T extends unknown ? (string extends keyof T ? never : keyof T) : never
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([Keys<A>] extends [Keys<B>] ? ([Keys<B>] extends [Keys<A>] ? true : false) : false) : false) : false
type SchemaMatchesContract = { [N in RequestName]: Same<v.InferOutput<(typeof REQUEST_SCHEMAS)[N]>, ArgsOf<N>> }
const schemasMatchContract: { [N in RequestName]: true } = {} as SchemaMatchesContract
void schemasMatchContract
