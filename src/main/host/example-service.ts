/**
 * "New workspace from example": the built-in example workspaces (`resources/examples/<id>`: the
 * RISC-V Sv39 higher half, the i386 higher half at 0xC0100000, x86-64 long mode via Multiboot 2).
 * Opening one copies it, on first open, to `<home>/.bootscope/examples/<id>/` — inside our state
 * folder of the workspace the app was opened with, as started labs are — and switches the one
 * workspace there; the edits stay for the next open. Closing switches back to the home
 * workspace. A lab open at the time is left first (one workspace at a time).
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { err, ok, type Result } from '../../shared/api/result'
import type { ExampleSummary } from '../../shared/api/example'
import type { WorkspaceInfo } from '../../shared/api/workspace'
import { ID_RE } from '../../shared/labs/parse-checks'
import { Workspace } from './workspace'
import { RESOURCES_DIR } from './paths'

export interface ExampleServiceDeps {
  workspace: Workspace
  /** The workspace the app was opened with. */
  homeRoot: string
  /** Leaves an open lab (the lab service's close), before the workspace switches. */
  leaveLab: () => Promise<unknown> | unknown
  examplesDir?: string
}

/** The folder of an opened example inside the home workspace. */
export function exampleWorkspaceDir(homeRoot: string, id: string): string {
  return join(homeRoot, '.bootscope', 'examples', id)
}

/** The README's first `# heading` and the paragraph after it. */
export function readmeTitle(text: string, fallback: string): { title: string; summary: string } {
  const lines = text.split(/\r?\n/)
  const h = lines.findIndex((l) => l.startsWith('# '))
  const title = h >= 0 ? lines[h].slice(2).trim() : fallback
  const para: string[] = []
  for (const l of lines.slice(h + 1)) {
    if (l.trim() === '') {
      if (para.length) break
      continue
    }
    para.push(l.trim())
  }
  return { title, summary: para.join(' ') }
}

export class ExampleService {
  private readonly dir: string

  constructor(private readonly deps: ExampleServiceDeps) {
    this.dir = deps.examplesDir ?? join(RESOURCES_DIR, 'examples')
  }

  private ids(): string[] {
    try {
      return readdirSync(this.dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ID_RE.test(d.name.replace(/_/g, '-')))
        .map((d) => d.name)
        .sort()
    } catch {
      return []
    }
  }

  list(): Result<ExampleSummary[]> {
    return ok(
      this.ids().map((id) => {
        let readme = ''
        try {
          readme = readFileSync(join(this.dir, id, 'README.md'), 'utf8')
        } catch {
          // An example without a README is listed by its folder name.
        }
        const root = exampleWorkspaceDir(this.deps.homeRoot, id)
        return { id, ...readmeTitle(readme, id), created: existsSync(root), open: this.deps.workspace.root === root }
      }),
    )
  }

  async open(id: unknown): Promise<Result<WorkspaceInfo>> {
    const ids = this.ids()
    if (typeof id !== 'string' || !ids.includes(id)) {
      return err('example.not_found', `there is no example '${String(id)}'`, { hint: `the examples are: ${ids.join(', ')}` })
    }
    await this.deps.leaveLab()
    const root = exampleWorkspaceDir(this.deps.homeRoot, id)
    if (!existsSync(root)) {
      // Created inside the home workspace's state folder only: never through a link leading out.
      const made = new Workspace(this.deps.homeRoot).stateFolder(relative(this.deps.homeRoot, root))
      if (!made.ok) return made
      try {
        cpSync(join(this.dir, id), root, { recursive: true })
      } catch (e) {
        return err('example.copy_failed', `could not create the example's workspace ${root}: ${(e as Error).message}`)
      }
    }
    this.deps.workspace.switchTo(root)
    return ok(this.deps.workspace.info())
  }

  /** Back to the workspace the app was opened with. */
  close(): Result<WorkspaceInfo> {
    this.deps.workspace.switchTo(this.deps.homeRoot)
    return ok(this.deps.workspace.info())
  }
}
