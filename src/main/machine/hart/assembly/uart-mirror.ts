/**
 * Reads of the 16550 UART served inside the hart, without leaving the loop. A guest that polls the
 * line status register for input (U-Boot's autoboot countdown and prompt, a tutorial's shell) reads
 * it hundreds of thousands of times a second, and each MMIO exit to the TypeScript device costs more
 * than the few instructions of the polling loop. The device (`devices/uart-16550.ts`) publishes into
 * the state block, after every change of its state, the byte each register would read now and which
 * of those reads change nothing in the device; only those are served here. Every access that does
 * change the device still goes to it, so a run is the same, step for step, with or without this path.
 *
 * The machine's "waiting for input" watch (`Machine.watchInputPolling`: a streak of nothing but
 * line-status reads while no input is pending) keeps its streak here, so a poll served here extends it
 * exactly as a poll served by the host does. A poll that finds the streak `S_UART_POLL_LIMIT` long is
 * left to the host, which then decides at the same read it would have decided at without this path.
 */
import {
  S_UART_MIRROR_BASE, S_UART_MIRROR_REGS, S_UART_MIRROR_PURE, S_UART_MIRROR_IDLE, S_UART_POLL_REG, S_UART_POLLING,
  S_UART_POLL_SINCE, S_UART_POLL_LIMIT,
} from './layout'
import { mtime } from './timer'

/** The 16550's register window: eight byte-wide registers (register shift 0, as on QEMU virt). */
const UART_REGISTERS: u64 = 8

/**
 * The value of a byte read at physical `pa` when the device's mirror can serve it (the read has no
 * side effect in the device), else -1: the access must go to the host.
 */
export function uartMirrorRead(pa: u64, size: u64): i64 {
  const base = load<u64>(S_UART_MIRROR_BASE)
  if (base == 0 || size != 1 || pa < base || pa >= base + UART_REGISTERS) return -1
  const reg = pa - base
  if (((load<u64>(S_UART_MIRROR_PURE) >> reg) & 1) == 0) return -1
  if (reg == load<u64>(S_UART_POLL_REG) && load<u64>(S_UART_MIRROR_IDLE) != 0) {
    const now = mtime()
    if (load<u64>(S_UART_POLLING) == 0) {
      store<u64>(S_UART_POLLING, 1)
      store<u64>(S_UART_POLL_SINCE, now)
    } else if (<i64>(now - load<u64>(S_UART_POLL_SINCE)) >= <i64>load<u64>(S_UART_POLL_LIMIT)) {
      return -1
    }
  } else {
    store<u64>(S_UART_POLLING, 0)
  }
  return <i64>((load<u64>(S_UART_MIRROR_REGS) >> (reg << 3)) & 0xff)
}
