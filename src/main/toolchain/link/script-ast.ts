/**
 * The parsed linker script: a tree of statements whose expressions stay unevaluated, because `.`,
 * ADDR() and SIZEOF() are unknown until layout (LLD keeps closures; we keep a small expression
 * tree, which also lets the layout report show what each statement said).
 */
import type { SourceLoc } from '../../../shared/api/result'

export type Expr =
  | { k: 'num'; v: bigint; /** hex digits as written, for `=0x…` fill patterns */ hex?: string; loc: SourceLoc }
  | { k: 'sym'; name: string; loc: SourceLoc }
  | { k: 'dot'; loc: SourceLoc }
  | { k: 'str'; s: string; loc: SourceLoc }
  | { k: 'un'; op: string; a: Expr; loc: SourceLoc }
  | { k: 'bin'; op: string; a: Expr; b: Expr; loc: SourceLoc }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr; loc: SourceLoc }
  /** A builtin: ADDR, ALIGN, … `name` holds a section/region/constant name argument. */
  | { k: 'call'; fn: string; args: Expr[]; name?: string; loc: SourceLoc }

export interface Assignment {
  kind: 'assign'
  /** Symbol name or '.' */
  target: string
  /** '=', '+=', '-=', … */
  op: string
  expr: Expr
  provide?: boolean
  hidden?: boolean
  loc: SourceLoc
  /** The statement as written (for the layout report). */
  text?: string
}

export interface AssertStmt {
  kind: 'assert'
  expr: Expr
  message: string
  loc: SourceLoc
}

export interface SectionPattern {
  pattern: string
  /** EXCLUDE_FILE(...) written just before this pattern inside the list. */
  excludeFiles: string[]
  sort: 'none' | 'name' | 'alignment' | 'name,alignment' | 'alignment,name' | 'init_priority'
}

export interface InputSectionDesc {
  kind: 'input'
  filePattern: string
  /** EXCLUDE_FILE(...) written before the file pattern. */
  excludeFiles: string[]
  /** The file pattern was wrapped in SORT(…). */
  sortFiles: boolean
  sections: SectionPattern[]
  keep: boolean
  /** `*(COMMON)` */
  common: boolean
  loc: SourceLoc
}

export interface DataStmt {
  kind: 'data'
  /** BYTE 1, SHORT 2, LONG 4, QUAD 8, SQUAD 8 */
  size: number
  expr: Expr
  loc: SourceLoc
}

export interface FillStmt {
  kind: 'fill'
  expr: Expr
  loc: SourceLoc
}

export type OutputItem = Assignment | AssertStmt | InputSectionDesc | DataStmt | FillStmt

export interface OutputSectionStmt {
  kind: 'output'
  name: string
  addr?: Expr
  /** NOLOAD, COPY, INFO, OVERLAY, READONLY */
  type?: string
  at?: Expr
  align?: Expr
  subalign?: Expr
  constraint?: 'ONLY_IF_RO' | 'ONLY_IF_RW'
  items: OutputItem[]
  region?: string
  lmaRegion?: string
  phdrs: string[]
  fill?: Expr
  loc: SourceLoc
  /** Where `region` / `lmaRegion` were written, for errors. */
  regionLoc?: SourceLoc
}

export type SectionsItem = Assignment | AssertStmt | OutputSectionStmt

export interface MemoryRegion {
  name: string
  /** Attribute letters as written, e.g. `rx` or `!w`. */
  attrs: string
  origin: Expr
  length: Expr
  loc: SourceLoc
}

export interface PhdrStmt {
  name: string
  type: number
  fileHdr: boolean
  phdrs: boolean
  at?: Expr
  flags?: Expr
  loc: SourceLoc
}

export type TopItem = Assignment | AssertStmt | { kind: 'sections'; items: SectionsItem[]; loc: SourceLoc }

export interface Script {
  items: TopItem[]
  entry?: { name: string; loc: SourceLoc }
  memory: MemoryRegion[]
  phdrs?: PhdrStmt[]
  outputArch?: string
  outputFormat?: string
  /** Where OUTPUT_FORMAT / OUTPUT_ARCH were written, for errors about the target. */
  targetLoc?: SourceLoc
}
