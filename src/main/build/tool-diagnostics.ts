/**
 * Problems from the output of the author's own build tools: gcc and clang
 * (`file:line:col: error: …`, `fatal error:`, `warning:`; `note:` lines are folded into the hint
 * of the problem they follow), GNU ld (`file.c:12:(.text+0x10): undefined reference to …`,
 * `ld: cannot find …`), and rustc/cargo (`error[E0425]: …` then `  --> src/main.rs:3:5`).
 * Paths are kept as the tool printed them, made workspace-relative by the caller.
 */
import type { Diagnostic } from '../../shared/api/result'

const GCC = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<col>\d+):)?\s+(?<sev>fatal error|error|warning|note):\s+(?<msg>.*)$/
const LD_REF = /^(?<file>[^\s:][^:]*):(?<line>\d+):\(\S+\):\s+(?<msg>.*)$/
const LD_PLAIN = /^(?:\S*\/)?(?:[\w.-]+-)?ld(?:\.bfd|\.lld|\.gold)?:\s+(?<msg>.*)$/
const RUST_HEAD = /^(?<sev>error|warning)(?:\[(?<code>E\d+)\])?:\s+(?<msg>.*)$/
const RUST_AT = /^\s*--> (?<file>[^:]+):(?<line>\d+):(?<col>\d+)$/

/** Parses a build's output (stdout and stderr together) into problems. */
export function toolDiagnostics(output: string): Diagnostic[] {
  const out: Diagnostic[] = []
  const lines = output.split(/\r?\n/)
  // eslint-disable-next-line no-control-regex
  const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '')
  for (let i = 0; i < lines.length; i++) {
    const line = plain(lines[i])
    let m = GCC.exec(line)
    if (m?.groups) {
      const g = m.groups
      if (g.sev === 'note') {
        const last = out.at(-1)
        if (last) last.hint = last.hint ? `${last.hint}; ${g.msg}` : g.msg
        continue
      }
      out.push({
        severity: g.sev === 'warning' ? 'warning' : 'error',
        code: 'build.tool',
        message: g.msg,
        loc: { file: g.file, line: Number(g.line), column: g.col ? Number(g.col) : 1 },
      })
      continue
    }
    m = LD_REF.exec(line)
    if (m?.groups) {
      out.push({ severity: 'error', code: 'build.link', message: m.groups.msg, loc: { file: m.groups.file, line: Number(m.groups.line), column: 1 } })
      continue
    }
    m = RUST_HEAD.exec(line)
    if (m?.groups && !/^(error|warning): (could not compile|aborting due to|\d+ warnings? emitted)/.test(line)) {
      const at = RUST_AT.exec(plain(lines[i + 1] ?? ''))
      if (at?.groups) {
        out.push({
          severity: m.groups.sev === 'warning' ? 'warning' : 'error',
          code: m.groups.code ? `rustc.${m.groups.code}` : 'build.tool',
          message: m.groups.msg,
          loc: { file: at.groups.file, line: Number(at.groups.line), column: Number(at.groups.col) },
        })
        i++
      }
      continue
    }
    m = LD_PLAIN.exec(line)
    if (m?.groups && !/^warning: .*(LOAD segment|executable stack)/.test(m.groups.msg) && !/: in function `/.test(m.groups.msg)) {
      out.push({ severity: /^warning:/.test(m.groups.msg) ? 'warning' : 'error', code: 'build.link', message: m.groups.msg.replace(/^(warning|error): /, '') })
    }
  }
  return out
}
