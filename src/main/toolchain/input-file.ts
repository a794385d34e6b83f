/**
 * Files the toolchain reads through its caller (`#include`, `.include`, `.incbin`, linker
 * `INCLUDE`): the caller's `readFile` returns the bytes, undefined when there is no such file, or
 * throws `InputFileRefused` when the file exists but must not be read — a device, a FIFO, a file
 * over the size limit (issue 10, item 9). The toolchain turns a refusal into an error at the
 * directive that named the file, with the caller's message.
 */

/** Source text that `#include`, `.include` or `INCLUDE` may bring in (data goes through `.incbin`). */
export const MAX_INCLUDED_TEXT_BYTES = 8 * 1024 * 1024

export class InputFileRefused extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** Calls `read`, turning a refusal into a value (any other exception is a bug and goes on up). */
export function readInput<T>(read: () => T | undefined): { data: T | undefined; refused?: InputFileRefused } {
  try {
    return { data: read() }
  } catch (e) {
    if (e instanceof InputFileRefused) return { data: undefined, refused: e }
    throw e
  }
}
