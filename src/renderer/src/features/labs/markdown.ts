/**
 * A small, safe Markdown renderer for lab instructions (README.md) and check messages. A lab is
 * a folder anyone can hand out, so its text is untrusted: every character of it is HTML-escaped,
 * and the only markup in the output is the tags made here — headings, paragraphs, lists (nested
 * by indentation), fenced code blocks, inline code, strong and emphasis, and links to http(s) or
 * mailto addresses only. No raw HTML passes through; anything unrecognised is shown as text.
 * The subset is what docs/labs.md asks lab authors to use; no dependency is needed for it.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

/** Link targets a lab may use: the web and mail. Never `javascript:`, `data:` or a local file. */
const SAFE_URL = /^(?:https?:\/\/|mailto:)[^\s]*$/i

/** Emphasis and links on text that is already escaped (so `*`, `_`, `[`, `(` are the only syntax left). */
function spans(escaped: string): string {
  return escaped
    .replace(/\[([^\]\n]+)\]\(([^)\s\uE000]+)\)/g, (_m, label: string, url: string) => {
      // The URL was escaped with the rest; compare its real text with the allowed schemes.
      const real = url.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" })[e]!)
      return SAFE_URL.test(real) ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>` : label
    })
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?=\S)([^_]*?\S)__(?!\w)/g, '<strong>$1</strong>')
    .replace(/\*(?=\S)([^*]*?\S)\*/g, '<em>$1</em>')
    .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>')
}

/**
 * A code span stands in the text as U+E000, its index, U+E001 (private-use characters, removed
 * from the input first) while emphasis and links are found around it.
 */
const SLOT = /\uE000(\d+)\uE001/g

/** Inline Markdown: code spans (verbatim), strong, emphasis and links (which may hold code spans). */
export function renderInline(text: string): string {
  const codes: string[] = []
  let rest = ''
  let i = 0
  const src = text.replace(/[\uE000\uE001]/g, '')
  while (i < src.length) {
    const open = src.indexOf('`', i)
    if (open < 0) break
    let ticks = 1
    while (src[open + ticks] === '`') ticks++
    const fence = '`'.repeat(ticks)
    const close = src.indexOf(fence, open + ticks)
    if (close < 0) break
    const code = src.slice(open + ticks, close)
    rest += src.slice(i, open) + `\uE000${codes.length}\uE001`
    codes.push(`<code>${escapeHtml(code.length > 1 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code)}</code>`)
    i = close + ticks
  }
  rest += src.slice(i)
  return spans(escapeHtml(rest)).replace(SLOT, (_m, n: string) => codes[Number(n)])
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$/
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/
const ITEM = /^(\s*)([-*+]|(\d{1,9})[.)])\s+(.*)$/
const RULE = /^\s*(?:-\s*){3,}$|^\s*(?:\*\s*){3,}$/

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length
}

/** Removes up to `n` leading spaces. */
function dedent(line: string, n: number): string {
  return line.slice(Math.min(n, indentOf(line)))
}

/** Block Markdown: the lines of a document (or of a list item) as HTML. */
function blocks(lines: string[], tight = false): string {
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (line.trim() === '') {
      i++
      continue
    }
    const fence = FENCE.exec(line)
    if (fence) {
      const [, indent, marker, lang] = fence
      const body: string[] = []
      i++
      while (i < lines.length && !(lines[i].trim().startsWith(marker) && lines[i].trim().replace(/[`~]/g, '') === '')) body.push(dedent(lines[i++], indent.length))
      i++ // the closing fence (or the end of the text)
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : ''
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}</code></pre>`)
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      const level = heading[1].length
      out.push(`<h${level}>${renderInline(heading[2])}</h${level}>`)
      i++
      continue
    }
    if (RULE.test(line)) {
      out.push('<hr>')
      i++
      continue
    }
    const item = ITEM.exec(line)
    if (item) {
      const ordered = item[3] !== undefined
      const base = item[1].length
      const first = Number(item[3] ?? 1)
      const bodies: string[][] = []
      let loose = false
      while (i < lines.length) {
        const m = ITEM.exec(lines[i])
        if (!m || m[1].length !== base || (m[3] !== undefined) !== ordered) break
        // The item's text starts after its marker; lines indented at least that far continue it.
        const contentIndent = lines[i].length - m[4].length
        const body = [m[4]]
        i++
        while (i < lines.length) {
          const l = lines[i]
          if (l.trim() === '') {
            // A blank line continues the item only when indented content follows it.
            let j = i
            while (j < lines.length && lines[j].trim() === '') j++
            if (j < lines.length && indentOf(lines[j]) >= contentIndent && indentOf(lines[j]) > base) {
              if (!FENCE.test(lines[j]) && !ITEM.test(lines[j])) loose = true
              for (; i < j; i++) body.push('')
              continue
            }
            if (j < lines.length && ITEM.test(lines[j]) && indentOf(lines[j]) === base) loose = true
            break
          }
          if (indentOf(l) > base && (indentOf(l) >= contentIndent || !ITEM.test(l))) body.push(dedent(l, contentIndent))
          else if (!ITEM.test(l) && !HEADING.test(l) && !FENCE.test(l) && indentOf(l) <= base && body.length > 0 && lines[i - 1].trim() !== '') body.push(l.trim()) // lazy continuation
          else break
          i++
        }
        bodies.push(body)
        while (i < lines.length && lines[i].trim() === '') {
          const next = lines.slice(i).find((l) => l.trim() !== '')
          if (next && ITEM.test(next) && indentOf(next) === base) i++
          else break
        }
      }
      const tag = ordered ? 'ol' : 'ul'
      const start = ordered && first !== 1 ? ` start="${first}"` : ''
      // One blank line anywhere makes the whole list loose: every item's text in paragraphs.
      const items = bodies.map((b) => `<li>${blocks(b, !loose)}</li>`)
      out.push(`<${tag}${start}>${items.join('')}</${tag}>`)
      continue
    }
    // A paragraph: until a blank line or the start of another block.
    const para: string[] = []
    while (i < lines.length && lines[i].trim() !== '' && (para.length === 0 || !(FENCE.test(lines[i]) || HEADING.test(lines[i]) || ITEM.test(lines[i])))) {
      para.push(lines[i].trim())
      i++
    }
    const html = renderInline(para.join('\n'))
    out.push(tight ? html : `<p>${html}</p>`)
  }
  return out.join('\n')
}

/** A Markdown document as safe HTML (for `v-html`). */
export function renderMarkdown(text: string): string {
  return blocks(text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n'))
}
