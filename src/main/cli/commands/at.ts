/**
 * `bootscope at REC.sqlite STEP [--regs] [--mappings] [--translate VA] [--mem ADDR LEN] [--json]`:
 * the machine's state at a step of a recording, replayed from the recording alone.
 */
import { formatDiagnostic } from '../../../shared/api/result'
import type { MachineState } from '../../../shared/api/replay'
import { UsageError, type CliCommand } from '../command'
import { numberArg } from '../inputs'
import { ReplaySession } from '../../trace/replay'
import { describeCsr } from '../../../shared/isa/csr-fields'

const USAGE = `Usage: bootscope at REC.sqlite STEP [--regs] [--mappings] [--translate VA] [--mem ADDR LEN] [--json]

Replays the recording to STEP — the state after STEP instructions retired — and prints the
instruction about to run there, with its source line and symbol, and the translation mode. An
event listed at step N by \`bootscope events\` shows its effect in the state of its "after" step. Add:
  --regs          the registers and CSRs (* marks what the last instruction changed), status,
                  cause, trap-vector and satp fields in words
  --mappings      the address space: VA -> PA ranges walked from satp, with permissions
  --translate VA  one virtual address translated level by level
  --mem ADDR LEN  LEN bytes at ADDR (virtual when paging is on, as the kernel sees it)
  --json          the whole state as one JSON object`

function printState(s: MachineState, opts: { regs: boolean; mappings: boolean }): void {
  const i = s.instruction
  const where = [i.symbol, i.loc ? `${i.loc.file}:${i.loc.line}` : null].filter(Boolean).join(', ')
  console.log(`step ${s.step}  ${s.priv}-mode  satp ${s.satp.mode}${s.satp.mode === 'Bare' ? '' : ` root ${s.satp.root}`}`)
  console.log(`pc ${s.pc}${i.pa && i.pa !== s.pc ? ` (PA ${i.pa})` : ''}  ${i.text ?? `cannot fetch: ${i.fault}`}${where ? `  [${where}]` : ''}`)
  if (s.endedAt) console.log(`(the boot ended at step ${s.endedAt.step}: ${s.endedAt.reason})`)
  if (opts.regs) {
    const cell = (r: { name: string; value: string; changed: boolean }) => `${r.changed ? '*' : ' '}${r.name.padStart(8)} ${r.value.padStart(18)}`
    for (let k = 0; k < s.x.length; k += 4) console.log(s.x.slice(k, k + 4).map(cell).join('  '))
    for (let k = 0; k < s.csrs.length; k += 4) console.log(s.csrs.slice(k, k + 4).map(cell).join('  '))
    for (const r of s.csrs) {
      const words = describeCsr(r.name, BigInt(r.value))
      if (words) console.log(`${r.name.padStart(9)}: ${words}`)
    }
  }
  if (opts.mappings) {
    if (s.addressSpace.mappings.length === 0) console.log('no mappings (satp is Bare: addresses are physical)')
    for (const m of s.addressSpace.mappings) console.log(`${m.va.padStart(18)} -> ${m.pa.padStart(12)}  size ${m.size.padStart(12)}  ${m.perms.padEnd(7)} ${m.pageSize} pages`)
    if (s.addressSpace.truncated) console.log('(walk truncated)')
  }
  if (s.translation) {
    const t = s.translation
    for (const st of t.steps) console.log(`  level ${st.level}  vpn[${st.level}] = ${st.vpn}  PTE at ${st.pteAddr} = ${st.pte}  ${st.kind} ${st.flags}`)
    console.log(t.ok ? `${t.va} -> ${t.pa} (${t.pageSize} page, ${t.flags})` : `${t.va}: fault (cause ${t.cause}): ${t.reason}`)
  }
  if (s.memory) console.log('bytes' in s.memory ? `${s.memory.address}: ${s.memory.bytes.replace(/(..)/g, '$1 ').trim()}` : `${s.memory.address}: ${s.memory.error}`)
}

export const atCommand: CliCommand = {
  name: 'at',
  summary: 'show the machine state at a step of a recording',
  usage: USAGE,
  async run(argv) {
    const positional: string[] = []
    let regs = false
    let mappings = false
    let json = false
    let translate: string | undefined
    let memory: { address: string; length: number } | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--regs') regs = true
      else if (a === '--mappings') mappings = true
      else if (a === '--json') json = true
      else if (a === '--translate') translate = numberArg(argv[++i], a)
      else if (a === '--mem') memory = { address: numberArg(argv[++i], a), length: Number(numberArg(argv[++i], a)) }
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    const [path, stepText, ...extra] = positional
    if (!path || stepText === undefined || extra.length) throw new UsageError('give a recording and a step: bootscope at REC.sqlite STEP')
    if (!/^\d+$/.test(stepText)) throw new UsageError('STEP is a number of retired instructions')
    const opened = await ReplaySession.open(path)
    if (!opened.ok) {
      console.error(formatDiagnostic(opened.error))
      return 1
    }
    const state = await opened.value.stateAt({ step: Number(stepText), translate, memory })
    if (!state.ok) {
      console.error(formatDiagnostic(state.error))
      return 1
    }
    if (json) console.log(JSON.stringify(state.value))
    else printState(state.value, { regs, mappings })
    return 0
  },
}
