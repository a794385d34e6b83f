/**
 * The layout report's types live in `shared/api/layout.ts` because the report crosses the process
 * boundary to the UI's layout view; the linker fills them in.
 */
export type * from '../../../shared/api/layout'

export const hex = (v: bigint): string => '0x' + v.toString(16)
