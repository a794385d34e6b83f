/**
 * `bootscope at REC.sqlite STEP [--regs] [--mappings] [--translate VA] [--mem ADDR LEN] [--disk OFFSET LEN] [--json]`:
 * the machine's state at a step of a recording, replayed from the recording alone.
 */
import type { MachineState, RegisterValue } from '../../../shared/api/replay'
import { hex } from '../../../shared/trace/events'
import { printError, UsageError, type CliCommand } from '../command'
import { checkpointNote, numberArg, replayNotes } from '../inputs'
import { ReplaySession } from '../../trace/replay'
import { describeCsr } from '../../../shared/isa/csr-fields'

const USAGE = `Usage: bootscope at REC.sqlite STEP [--regs] [--mappings] [--translate VA] [--mem ADDR LEN] [--disk OFFSET LEN] [--json]

Replays the recording to STEP — the state after STEP instructions retired — and prints the
instruction about to run there, with its source line and symbol, and the translation mode. An
event listed at step N by \`bootscope events\` shows its effect in the state of its "after" step. Add:
  --regs          the registers (* marks what the last instruction changed): RISC-V integer
                  registers and CSRs, status, cause, trap-vector and satp fields in words; x86
                  RAX…R15, RIP, RFLAGS decoded, segment registers with their descriptor caches,
                  CR0/CR2/CR3/CR4 decoded, EFER, GDTR/IDTR
  --mappings      the address space: VA -> PA ranges walked from the root table (satp or CR3)
  --translate VA  one virtual address translated level by level, each level's entry shown
  --mem ADDR LEN  LEN bytes at ADDR (virtual when paging is on, as the kernel sees it)
  --disk OFFSET LEN  LEN bytes of the boot's disk (--disk IMG) from byte OFFSET, as the guest
                  would read them at STEP: the image with the sectors written so far
  --json          the whole state as one JSON object`

function printState(s: MachineState, opts: { regs: boolean; mappings: boolean }): void {
  const i = s.instruction
  const inlined = i.function?.includes(' (inlined into ') ? i.function : null
  const where = [i.symbol, i.loc ? `${i.loc.file}:${i.loc.line}` : null, inlined].filter(Boolean).join(', ')
  console.log(`step ${s.step}  ${s.modeLabel}  ${s.rootRegister} ${s.satp.mode}${s.satp.mode === 'Bare' ? '' : ` root ${s.satp.root}`}`)
  console.log(`pc ${s.pc}${i.pa && i.pa !== s.pc ? ` (PA ${i.pa})` : ''}  ${i.text ?? `cannot fetch: ${i.fault}`}${where ? `  [${where}]` : ''}`)
  if (s.endedAt) console.log(`(the boot ended at step ${s.endedAt.step}: ${s.endedAt.reason})`)
  if (opts.regs) {
    const cell = (r: RegisterValue) => `${r.changed ? '*' : ' '}${r.name.padStart(8)} ${r.value.padStart(18)}`
    for (const g of s.registers) {
      // Registers with a reading (decoded flags, a descriptor cache) get a line each; plain ones four to a line.
      const plain = g.registers.filter((r) => !r.text)
      for (let k = 0; k < plain.length; k += 4) console.log(plain.slice(k, k + 4).map(cell).join('  '))
      for (const r of g.registers.filter((x) => x.text)) console.log(`${cell(r)}  ${r.text}`)
    }
    // RISC-V CSR fields in words (x86 registers carry their reading in `text`).
    for (const r of s.registers.filter((g) => g.name === 'csr').flatMap((g) => g.registers)) {
      const words = describeCsr(r.name, BigInt(r.value))
      if (words) console.log(`${r.name.padStart(9)}: ${words}`)
    }
  }
  if (opts.mappings) {
    if (s.addressSpace.mappings.length === 0) console.log(`no mappings (${s.rootRegister === 'satp' ? 'satp is Bare' : 'paging is off'}: addresses are physical)`)
    for (const m of s.addressSpace.mappings) {
      const size = m.pageSize === 'recursive' ? 'recursive entry' : `${m.pageSize} pages`
      console.log(`${m.va.padStart(18)} -> ${m.pa.padStart(12)}  size ${m.size.padStart(12)}  ${m.perms.padEnd(7)} ${size}${m.note ? `  (${m.note})` : ''}`)
    }
    if (s.addressSpace.truncated) console.log('(walk truncated)')
  }
  if (s.translation) {
    const t = s.translation
    for (const st of t.steps) {
      const where = st.table ? `${st.table}[${st.vpn}]` : `vpn[${st.level}] = ${st.vpn}`
      console.log(`  level ${st.level}  ${where}  ${st.table ? 'entry' : 'PTE'} at ${st.pteAddr} = ${st.pte}  ${st.kind} ${st.flags}`)
    }
    const code = !t.ok && t.errorCode !== undefined ? `, error code ${hex(t.errorCode)}` : ''
    console.log(t.ok ? `${t.va} -> ${t.pa} (${t.pageSize} page, ${t.flags})` : `${t.va}: fault (${s.rootRegister === 'satp' ? 'cause' : 'vector'} ${t.cause}${code}): ${t.reason}`)
  }
  if (s.memory) console.log('bytes' in s.memory ? `${s.memory.address}: ${s.memory.bytes.replace(/(..)/g, '$1 ').trim()}` : `${s.memory.address}: ${s.memory.error}`)
  if (s.disk) console.log('bytes' in s.disk ? `disk ${s.disk.offset}: ${s.disk.bytes.replace(/(..)/g, '$1 ').trim()}` : `disk ${s.disk.offset}: ${s.disk.error}`)
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
    let disk: { offset: string; length: number } | undefined
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--regs') regs = true
      else if (a === '--mappings') mappings = true
      else if (a === '--json') json = true
      else if (a === '--translate') translate = numberArg(argv[++i], a)
      else if (a === '--mem') memory = { address: numberArg(argv[++i], a), length: Number(numberArg(argv[++i], a)) }
      else if (a === '--disk') disk = { offset: numberArg(argv[++i], a), length: Number(numberArg(argv[++i], a)) }
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
      else positional.push(a)
    }
    const [path, stepText, ...extra] = positional
    if (!path || stepText === undefined || extra.length) throw new UsageError('give a recording and a step: bootscope at REC.sqlite STEP')
    if (!/^\d+$/.test(stepText)) throw new UsageError('STEP is a number of retired instructions')
    const opened = await ReplaySession.open(path)
    if (!opened.ok) {
      printError('at', opened.error)
      return 1
    }
    const session = opened.value
    process.stderr.write(replayNotes(session))
    const state = await session.stateAt({ step: Number(stepText), translate, memory, disk })
    process.stderr.write(checkpointNote(session))
    if (!state.ok) {
      printError('at', state.error)
      return 1
    }
    if (json) console.log(JSON.stringify(state.value))
    else printState(state.value, { regs, mappings })
    return 0
  },
}
