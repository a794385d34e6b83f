/**
 * The Monaco side of the editor's language features for `riscv-asm`, `x86-gas`, `nasm` and `gnu-ld`: completion,
 * hover and go to definition, registered once per editor. Each provider is a thin adapter over
 * the pure modules beside it (`source-text`, `completions`, `hover`, `definitions`); what they
 * need from the app — the last build's layout, the workspace's sources, models for other files
 * and opening a file at a line — comes in as `LanguageFeatureDeps`.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api'
import type { Monaco as MonacoApi } from './monaco'
import type { LayoutReport } from '../../../../shared/api/layout'
import { asmContext, wordAt, type SourceLanguage } from './source-text'
import { asmCompletions, ldCompletions, type CompletionKind } from './completions'
import { asmWordHover, layoutHover, ldWordHover } from './hover'
import { findDefinitions, findLocalLabel, type SourceText } from './definitions'
import { bitsAt, findNasmLocalLabel, macrosIn, nasmCompletions, nasmContext, nasmLabelsIn, nasmWordAt, nasmWordHover } from './nasm-features'
import { gasCodeAt, gasSyntaxAt, gasX86Completions, gasX86Context, gasX86WordAt, gasX86WordHover } from './x86-gas-features'

export interface LanguageFeatureDeps {
  /** The last build's layout report, if any build succeeded. */
  layout: () => LayoutReport | undefined
  /** Every assembly file and linker script of the workspace, with unsaved edits. */
  sources: () => Promise<SourceText[]>
  /** The model of a workspace file, created if it has none yet (a definition in a closed file). */
  modelFor: (source: SourceText) => Monaco.editor.ITextModel
  /** The workspace path of a model, or undefined for a model that is not a workspace file. */
  pathOf: (uri: Monaco.Uri) => string | undefined
  /** Shows a workspace file at a position (go to definition into another file). */
  open: (path: string, line: number, column: number) => void
}

const LANGUAGES: SourceLanguage[] = ['riscv-asm', 'x86-gas', 'nasm', 'gnu-ld']

/** Labels defined in a text (`name:`), for completion before the next build knows them. */
function labelsIn(text: string): string[] {
  const out = new Set<string>()
  for (const m of text.matchAll(/^\s*([A-Za-z_.$][A-Za-z0-9_.$]*):/gm)) out.add(m[1])
  return [...out]
}

export function registerLanguageFeatures(monaco: MonacoApi, deps: LanguageFeatureDeps): Monaco.IDisposable {
  const K = monaco.languages.CompletionItemKind
  const KIND: Record<CompletionKind, Monaco.languages.CompletionItemKind> = {
    instruction: K.Keyword, pseudo: K.Keyword, directive: K.Module, register: K.Variable, csr: K.Constant,
    relocation: K.Operator, symbol: K.Reference, keyword: K.Keyword, function: K.Function,
  }
  const symbols = (model: Monaco.editor.ITextModel) => [...new Set([...(deps.layout()?.symbols.map((s) => s.name) ?? []), ...(model.getLanguageId() === 'nasm' ? nasmLabelsIn(model.getValue()) : labelsIn(model.getValue()))])]
  const word = (line: string, column: number, lang: SourceLanguage) => (lang === 'nasm' ? nasmWordAt(line, column) : lang === 'x86-gas' ? gasX86WordAt(line, column) : wordAt(line, column, lang))
  const disposables: Monaco.IDisposable[] = []

  for (const lang of LANGUAGES) {
    disposables.push(
      monaco.languages.registerCompletionItemProvider(lang, {
        triggerCharacters: lang === 'gnu-ld' ? [] : ['.', '%'],
        provideCompletionItems(model, position) {
          const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1)
          // (In x86 GAS `$` starts an immediate, so it is not part of the word being completed.)
          const prefix = (lang === 'nasm' ? /[A-Za-z0-9_.$%?@]*$/ : lang === 'x86-gas' ? /[A-Za-z0-9_.%]*$/ : /[A-Za-z0-9_.$%]*$/).exec(before)![0]
          const range = new monaco.Range(position.lineNumber, position.column - prefix.length, position.lineNumber, position.column)
          const items = lang === 'riscv-asm' ? asmCompletions(asmContext(before), symbols(model))
            : lang === 'nasm' ? nasmCompletions(nasmContext(before), bitsAt(model.getValue(), position.lineNumber), symbols(model), macrosIn(model.getValue()))
            : lang === 'x86-gas' ? gasX86Completions(gasX86Context(before), gasSyntaxAt(model.getValue(), position.lineNumber), gasCodeAt(model.getValue(), position.lineNumber), symbols(model))
            : ldCompletions(symbols(model))
          return {
            suggestions: items.map((c, i) => ({
              label: { label: c.label, description: c.detail },
              kind: KIND[c.kind],
              detail: c.detail,
              documentation: c.documentation ? { value: c.documentation } : undefined,
              insertText: c.insertText ?? c.label,
              filterText: c.label,
              sortText: String(i).padStart(5, '0'),
              range,
            })),
          }
        },
      }),
      monaco.languages.registerHoverProvider(lang, {
        async provideHover(model, position) {
          const w = word(model.getLineContent(position.lineNumber), position.column, lang)
          if (!w || /^\d/.test(w.word)) return null
          const range = new monaco.Range(position.lineNumber, w.start, position.lineNumber, w.end)
          const known = layoutHover(w.word, deps.layout(), deps.pathOf(model.uri)) ?? (lang === 'riscv-asm' ? asmWordHover(w.word) : lang === 'nasm' ? nasmWordHover(w.word, bitsAt(model.getValue(), position.lineNumber)) : lang === 'x86-gas' ? gasX86WordHover(w.word, gasSyntaxAt(model.getValue(), position.lineNumber).syntax, gasCodeAt(model.getValue(), position.lineNumber)) : ldWordHover(w.word))
          if (known) return { range, contents: known.map((value) => ({ value })) }
          const defs = findDefinitions(w.word, await deps.sources())
          if (!defs.length) return null
          const where = defs.map((d) => `${d.path}:${d.line}`).join(', ')
          const why = deps.layout() ? 'not in the last build’s symbol table (a local label, or defined since)' : 'no build yet: Build (Ctrl+B) to see its address'
          return { range, contents: [{ value: `**${w.word}** defined at ${where}` }, { value: why }] }
        },
      }),
      monaco.languages.registerDefinitionProvider(lang, {
        async provideDefinition(model, position) {
          const w = word(model.getLineContent(position.lineNumber), position.column, lang)
          if (!w) return null
          if (lang === 'nasm' && w.word.startsWith('.') && !w.word.startsWith('..')) {
            const d = findNasmLocalLabel(w.word, model.getValue(), position.lineNumber)
            return d ? { uri: model.uri, range: new monaco.Range(d.line, d.column, d.line, d.endColumn) } : null
          }
          if ((lang === 'riscv-asm' || lang === 'x86-gas') && /^\d+[bf]$/.test(w.word)) {
            const d = findLocalLabel(w.word, model.getValue(), position.lineNumber, deps.pathOf(model.uri) ?? '')
            return d ? { uri: model.uri, range: new monaco.Range(d.line, d.column, d.line, d.endColumn) } : null
          }
          const sources = await deps.sources()
          return findDefinitions(w.word, sources).map((d) => ({
            uri: deps.modelFor(sources.find((s) => s.path === d.path)!).uri,
            range: new monaco.Range(d.line, d.column, d.line, d.endColumn),
          }))
        },
      }),
    )
  }

  // Go to definition into another file: show it in our tabs instead of Monaco's (absent) editor service.
  disposables.push(
    monaco.editor.registerEditorOpener({
      openCodeEditor(_source, resource, selectionOrPosition) {
        const path = deps.pathOf(resource)
        if (path === undefined) return false
        const p = selectionOrPosition && 'startLineNumber' in selectionOrPosition
          ? { lineNumber: selectionOrPosition.startLineNumber, column: selectionOrPosition.startColumn }
          : (selectionOrPosition ?? { lineNumber: 1, column: 1 })
        deps.open(path, p.lineNumber, p.column)
        return true
      },
    }),
  )
  return { dispose: () => disposables.forEach((d) => d.dispose()) }
}
