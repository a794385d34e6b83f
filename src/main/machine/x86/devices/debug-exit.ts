/**
 * QEMU's `isa-debug-exit` device as test kernels use it (`-device isa-debug-exit,iobase=0xf4,
 * iosize=0x04`, REFERENCE.md "x86 PC"): writing v to port 0xF4 ends the machine with exit status
 * `(v << 1) | 1`, so a kernel's "success" is never 0. Also the POST code port 0x80, which kernels
 * write for tiny I/O delays: accepted and ignored.
 */
import type { PortDevice } from '../../devices/port-io'

export const DEBUG_EXIT_PORT = 0xf4
export const DEBUG_EXIT_PORTS = 4
export const POST_PORT = 0x80

/** The exit status QEMU uses for a value written to isa-debug-exit. */
export function debugExitStatus(value: number): number {
  return ((value << 1) | 1) >>> 0
}

export function debugExitPorts(onExit: (status: number, value: number) => void): PortDevice[] {
  return [
    { name: 'isa-debug-exit', port: DEBUG_EXIT_PORT, count: DEBUG_EXIT_PORTS, read: () => 0, write: (_o, _s, v) => onExit(debugExitStatus(v), v) },
    { name: 'post', port: POST_PORT, count: 1, read: () => 0xff, write: () => {} },
  ]
}
