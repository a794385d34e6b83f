/** "New workspace from example": the built-in example workspaces (resources/examples), as the picker lists them. */
export interface ExampleSummary {
  /** The example's folder name, e.g. `i386-higher-half`. */
  id: string
  /** The README's first heading. */
  title: string
  /** The README's first paragraph. */
  summary: string
  /** Whether its workspace exists already (opening it again keeps the edits). */
  created: boolean
  /** Whether it is the workspace open now. */
  open: boolean
}
