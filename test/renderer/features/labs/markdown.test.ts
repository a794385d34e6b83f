import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { escapeHtml, renderInline, renderMarkdown } from '../../../../src/renderer/src/features/labs/markdown'

const LABS = join(__dirname, '../../../../resources/labs')

/** Every tag of the output: the renderer may only ever produce these. */
const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'pre', 'code', 'strong', 'em', 'a', 'hr'])
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1].toLowerCase())
}

describe('lab Markdown', () => {
  it('escapes raw HTML everywhere: text, headings, list items, code spans and code blocks', () => {
    const md = [
      '# <img src=x onerror=alert(1)>',
      '',
      'Hello <script>alert("x")</script> & "quotes" \'too\'',
      '',
      '- <b>item</b> with `<i>code</i>`',
      '',
      '```html',
      '<iframe src="javascript:alert(1)"></iframe>',
      '```',
    ].join('\n')
    const html = renderMarkdown(md)
    expect(html).not.toMatch(/<(script|img|iframe|b|i)\b/)
    expect(html).toContain('<h1>&lt;img src=x onerror=alert(1)&gt;</h1>')
    expect(html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;')
    expect(html).toContain('<li>&lt;b&gt;item&lt;/b&gt; with <code>&lt;i&gt;code&lt;/i&gt;</code></li>')
    expect(html).toContain('<pre><code class="language-html">&lt;iframe src=&quot;javascript:alert(1)&quot;&gt;&lt;/iframe&gt;</code></pre>')
  })

  it('links only to http(s) and mailto; any other target is shown as plain text', () => {
    expect(renderInline('[docs](https://example.org/a?b=1&c=2)')).toBe('<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a>')
    expect(renderInline('[mail](mailto:t@example.org)')).toContain('href="mailto:t@example.org"')
    expect(renderInline('[click](javascript:alert(1))')).not.toContain('<a')
    for (const bad of ['javascript:alert%281%29', 'JaVaScRiPt:void', 'data:text/html,x', 'file:///etc/passwd', '//evil.example', 'vbscript:x', 'entry.S']) {
      const html = renderInline(`[click](${bad})`)
      expect(html).not.toContain('<a')
      expect(html).toBe('click')
    }
    // A quote cannot end the attribute: it is escaped inside the URL.
    const q = renderInline('[x](https://e.org/"onmouseover="alert(1))')
    expect(q).not.toMatch(/href="[^"]*"\s*onmouseover/)
  })

  it('renders code spans verbatim: no emphasis or links inside them', () => {
    expect(renderInline('`*not em* [no](https://x.org)`')).toBe('<code>*not em* [no](https://x.org)</code>')
    expect(renderInline('``a ` b``')).toBe('<code>a ` b</code>')
    expect(renderInline('an `unclosed span')).toBe('an `unclosed span')
  })

  it('renders strong and emphasis, also around code, but not underscores inside identifiers', () => {
    expect(renderInline('**bold** and *em* and _em_')).toBe('<strong>bold</strong> and <em>em</em> and <em>em</em>')
    expect(renderInline('at **`p_paddr`**')).toBe('at <strong><code>p_paddr</code></strong>')
    expect(renderInline('boot_page_table and kernel_end_x')).toBe('boot_page_table and kernel_end_x')
    expect(renderInline('2 * 3 * 4')).toBe('2 * 3 * 4')
  })

  it('drops the private-use characters that mark code spans, so text cannot forge one', () => {
    expect(renderInline('a\uE0000\uE001b `c`')).toBe('a0b <code>c</code>')
    expect(renderInline('[x](https://e.org/\uE0000\uE001) `<b>`')).toBe('<a href="https://e.org/0" target="_blank" rel="noopener noreferrer">x</a> <code>&lt;b&gt;</code>')
  })

  it('renders headings, paragraphs, ordered lists with their start, nested lists and fenced code inside items', () => {
    const md = [
      '## Steps',
      '',
      'Two lines',
      'of one paragraph.',
      '',
      '3. **Third.** Text',
      '   continued.',
      '   - nested a;',
      '   - nested b.',
      '',
      '   More of the third.',
      '4. Fourth:',
      '   ```asm',
      '   sd zero, 16(t0)',
      '   ```',
      '',
      '---',
    ].join('\n')
    const html = renderMarkdown(md)
    expect(html).toContain('<h2>Steps</h2>')
    expect(html).toContain('<p>Two lines\nof one paragraph.</p>')
    expect(html).toContain('<ol start="3"><li><p><strong>Third.</strong> Text\ncontinued.</p>\n<ul><li>nested a;</li><li>nested b.</li></ul>\n<p>More of the third.</p></li>')
    expect(html).toContain('<li><p>Fourth:</p>\n<pre><code class="language-asm">sd zero, 16(t0)</code></pre></li></ol>')
    expect(html).toContain('<hr>')
  })

  it('renders a tight list without paragraphs', () => {
    expect(renderMarkdown('- a\n- b `c`\n')).toBe('<ul><li>a</li><li>b <code>c</code></li></ul>')
  })

  it('renders every built-in lab README with only its own tags', () => {
    for (const id of readdirSync(LABS)) {
      const html = renderMarkdown(readFileSync(join(LABS, id, 'README.md'), 'utf8'))
      expect(tags(html).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([])
      expect(html).toMatch(/^<h1>/)
      expect(html).toContain('<h2>What &quot;Check my work&quot; looks at</h2>')
      // No Markdown syntax left over in the text: fences and bullets all became tags.
      expect(html).not.toContain('```')
      expect(html).not.toMatch(/^\s*- /m)
    }
  })

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })
})
