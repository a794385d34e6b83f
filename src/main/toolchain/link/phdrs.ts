/**
 * PHDRS: the script names the program headers and each output section says which it goes in
 * (`:text`); a section without `:name` goes where the previous one went (ld manual, "PHDRS
 * Command"). FILEHDR/PHDRS put the headers in a segment, AT() fixes p_paddr, FLAGS() p_flags.
 */
import type { Diagnostic } from '../../../shared/api/result'
import { PT_LOAD } from '../../../shared/elf/constants'
import { EvalError, evaluate, valueOf, type EvalEnv } from './expr-eval'
import type { OutSec } from './input'
import { COMMON_PAGE_SIZE_BYTES, MAX_PAGE_SIZE_BYTES } from './layout'
import type { Script } from './script-ast'
import type { Segment } from './segments'

function constEnv(): EvalEnv {
  return {
    dot: 0n, cur: null, final: true, unresolved: false, maxPageSize: MAX_PAGE_SIZE_BYTES, commonPageSize: COMMON_PAGE_SIZE_BYTES,
    symbol: () => undefined, section: () => undefined, region: () => undefined, sizeofHeaders: () => 0n,
  }
}

export function buildPhdrsSegments(script: Script, alloc: OutSec[], diags: Diagnostic[], final: boolean): Segment[] {
  const defs = script.phdrs ?? []
  const segs: Segment[] = defs.map((d) => ({
    type: d.type, flags: 0, offset: 0n, vaddr: 0n, paddr: 0n, filesz: 0n, memsz: 0n, align: d.type === PT_LOAD ? MAX_PAGE_SIZE_BYTES : 1n,
    sections: [], includesHeaders: d.fileHdr || d.phdrs, name: d.name,
  }))
  const byName = new Map(segs.map((s) => [s.name!, s]))
  defs.forEach((d, i) => {
    try {
      if (d.at) segs[i].fixedPaddr = valueOf(evaluate(d.at, constEnv()))
      if (d.flags) segs[i].fixedFlags = Number(valueOf(evaluate(d.flags, constEnv())) & 0xffffffffn)
    } catch (e) {
      if (e instanceof EvalError && final) diags.push({ severity: 'error', code: e.code, message: e.message, loc: e.loc, hint: 'PHDRS AT() and FLAGS() take constant expressions' })
    }
  })
  let current: string[] = []
  for (const os of alloc) {
    const names = os.stmt?.phdrs.length ? os.stmt.phdrs : current
    current = names
    for (const n of names) {
      if (n === 'NONE') continue
      const seg = byName.get(n)
      if (!seg) {
        if (final) diags.push({ severity: 'error', code: 'link.unknown_phdr', message: `section '${os.name}' is assigned to program header '${n}', which PHDRS does not declare`, loc: os.stmt?.loc, hint: 'declare it in PHDRS { … } or fix the name after the colon' })
        continue
      }
      seg.sections.push(os)
    }
  }
  return segs
}
