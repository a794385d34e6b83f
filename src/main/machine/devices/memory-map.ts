/**
 * The QEMU `virt` (riscv64) memory map and interrupt numbers, as QEMU 7.2 `hw/riscv/virt.c`
 * (`virt_memmap[]`, `enum { UART0_IRQ = 10, VIRTIO_IRQ = 1, … }`) defines them and REFERENCE.md
 * records them. Bootscope copies this machine so a kernel that boots here boots in QEMU.
 */

export const BOOT_ROM_BASE = 0x1000n
export const BOOT_ROM_SIZE_BYTES = 0xf000
export const TEST_FINISHER_BASE = 0x10_0000n
export const TEST_FINISHER_SIZE_BYTES = 0x1000n
export const CLINT_BASE = 0x200_0000n
export const CLINT_SIZE_BYTES = 0x1_0000n
export const PLIC_BASE = 0xc00_0000n
export const PLIC_SIZE_BYTES = 0x60_0000n
export const UART0_BASE = 0x1000_0000n
export const UART0_SIZE_BYTES = 0x100n
export const VIRTIO_MMIO_BASE = 0x1000_1000n
export const VIRTIO_MMIO_STRIDE_BYTES = 0x1000n
export const VIRTIO_MMIO_COUNT = 8
export const DRAM_BASE = 0x8000_0000n
export const DRAM_DEFAULT_SIZE_BYTES = 128 * 1024 * 1024

/** PLIC sources (QEMU virt.h): UART0_IRQ = 10, VIRTIO_IRQ = 1 (1..8 for the eight transports). */
export const UART0_IRQ = 10
export const VIRTIO_IRQ = 1
/** `riscv,ndev` of QEMU 7.2's PLIC (VIRT_IRQCHIP_NUM_SOURCES = 96). */
export const PLIC_NUM_SOURCES = 96

/** timebase-frequency of the virt machine: mtime ticks at 10 MHz. */
export const TIMEBASE_FREQUENCY_HZ = 10_000_000
/** The 16550's input clock in QEMU virt (`clock-frequency` of the serial node). */
export const UART_CLOCK_FREQUENCY_HZ = 3_686_400

/** Where firmware loaded with `-bios FILE` starts and where it expects the next stage (OpenSBI fw_jump). */
export const FIRMWARE_BASE = DRAM_BASE
export const KERNEL_BASE_WITH_FIRMWARE = 0x8020_0000n

/** mip bit numbers (privileged spec, "Machine Interrupt Registers"). */
export const MIP_SSIP = 1
export const MIP_MSIP = 3
export const MIP_STIP = 5
export const MIP_MTIP = 7
export const MIP_SEIP = 9
export const MIP_MEIP = 11
