/**
 * POSIX path joining for the directories and file names a line table holds (no `node:path`
 * here: this folder runs in the renderer too). Windows-built objects keep their drive letters.
 */

export function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)
}

/** `dir` + `name` unless `name` is absolute; `.` and `..` segments folded away. */
export function joinPath(dir: string, name: string): string {
  if (isAbsolute(name) || !dir) return normalize(name)
  return normalize(`${dir.replace(/[\\/]+$/, '')}/${name}`)
}

function normalize(p: string): string {
  const abs = p.startsWith('/')
  const out: string[] = []
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop()
    else if (part !== '..' || !abs) out.push(part)
  }
  const joined = out.join('/')
  return abs ? `/${joined}` : joined || '.'
}

export function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))
  return i < 0 ? p : p.slice(i + 1)
}
