/**
 * Flattened device tree (DTB) writer and reader (Devicetree Specification v0.4, chapter 5
 * "Flattened Devicetree (DTB) Format"), and the tree of the QEMU `virt` machine as QEMU 7.2's
 * `create_fdt()` builds it, limited to the devices Bootscope has. OpenSBI, U-Boot and Linux find
 * the UART, timer, PLIC and virtio transports only through this tree, so node names, `compatible`
 * strings, `reg`, `interrupts` and phandles follow QEMU's dump (`-M virt,dumpdtb=virt.dtb`).
 */
import {
  CLINT_BASE,
  CLINT_SIZE_BYTES,
  MIP_MEIP,
  MIP_MSIP,
  MIP_MTIP,
  MIP_SEIP,
  PLIC_BASE,
  PLIC_NUM_SOURCES,
  PLIC_SIZE_BYTES,
  TEST_FINISHER_BASE,
  TEST_FINISHER_SIZE_BYTES,
  TIMEBASE_FREQUENCY_HZ,
  UART0_BASE,
  UART0_IRQ,
  UART0_SIZE_BYTES,
  UART_CLOCK_FREQUENCY_HZ,
  VIRTIO_IRQ,
  VIRTIO_MMIO_BASE,
  VIRTIO_MMIO_COUNT,
  VIRTIO_MMIO_STRIDE_BYTES,
} from './memory-map'

// §5.1 header and §5.4.1 structure-block tokens.
export const FDT_MAGIC = 0xd00dfeed
export const FDT_VERSION = 17
export const FDT_LAST_COMP_VERSION = 16
export const FDT_BEGIN_NODE = 0x1
export const FDT_END_NODE = 0x2
export const FDT_PROP = 0x3
export const FDT_NOP = 0x4
export const FDT_END = 0x9
const FDT_HEADER_SIZE_BYTES = 40

export type FdtValue = Uint8Array

export interface FdtNode {
  name: string
  props: [string, FdtValue][]
  children: FdtNode[]
}

/** Property encoders (§2.2.4 "Property Values"). */
export const prop = {
  empty: (): FdtValue => new Uint8Array(0),
  u32: (...cells: number[]): FdtValue => {
    const out = new Uint8Array(cells.length * 4)
    const v = new DataView(out.buffer)
    cells.forEach((c, i) => v.setUint32(i * 4, c >>> 0))
    return out
  },
  /** A 64-bit value as two cells (what `#address-cells = <2>` needs). */
  u64cells: (...values: bigint[]): FdtValue => prop.u32(...values.flatMap((x) => [Number(x >> 32n), Number(x & 0xffff_ffffn)])),
  string: (...strings: string[]): FdtValue => new TextEncoder().encode(strings.map((s) => s + '\0').join('')),
}

export function node(name: string, props: [string, FdtValue][] = [], children: FdtNode[] = []): FdtNode {
  return { name, props, children }
}

/** Serializes a tree to DTB bytes (big-endian, version 17, an empty memory reservation map). */
export function writeFdt(root: FdtNode, bootCpuId = 0): Uint8Array {
  const strings: number[] = []
  const stringOffsets = new Map<string, number>()
  const struct: number[] = []
  const u32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff)
  const bytes = (b: Uint8Array) => {
    for (const x of b) struct.push(x)
    while (struct.length % 4) struct.push(0)
  }
  const stringOffset = (s: string) => {
    let off = stringOffsets.get(s)
    if (off === undefined) {
      off = strings.length
      stringOffsets.set(s, off)
      for (const x of new TextEncoder().encode(s)) strings.push(x)
      strings.push(0)
    }
    return off
  }
  const emit = (n: FdtNode) => {
    u32(FDT_BEGIN_NODE)
    bytes(new TextEncoder().encode(n.name + '\0'))
    for (const [name, value] of n.props) {
      u32(FDT_PROP)
      u32(value.length)
      u32(stringOffset(name))
      bytes(value)
    }
    for (const c of n.children) emit(c)
    u32(FDT_END_NODE)
  }
  emit(root)
  u32(FDT_END)

  const rsvmapOff = FDT_HEADER_SIZE_BYTES
  const rsvmapSize = 16 // one terminating { address 0, size 0 } entry
  const structOff = rsvmapOff + rsvmapSize
  const stringsOff = structOff + struct.length
  const total = stringsOff + strings.length
  const out = new Uint8Array(total)
  const v = new DataView(out.buffer)
  const header = [FDT_MAGIC, total, structOff, stringsOff, rsvmapOff, FDT_VERSION, FDT_LAST_COMP_VERSION, bootCpuId, strings.length, struct.length]
  header.forEach((x, i) => v.setUint32(i * 4, x >>> 0))
  out.set(struct, structOff)
  out.set(strings, stringsOff)
  return out
}

/** Parses DTB bytes back into a tree (for tests and for showing the tree a firmware was given). */
export function readFdt(dtb: Uint8Array): FdtNode {
  const v = new DataView(dtb.buffer, dtb.byteOffset, dtb.byteLength)
  if (v.getUint32(0) !== FDT_MAGIC) throw new Error('not a flattened device tree (bad magic)')
  const structOff = v.getUint32(8)
  const stringsOff = v.getUint32(12)
  const cstr = (at: number) => {
    let end = at
    while (dtb[end] !== 0) end++
    return new TextDecoder().decode(dtb.subarray(at, end))
  }
  let p = structOff
  const align = () => (p = (p + 3) & ~3)
  const stack: FdtNode[] = []
  let root: FdtNode | undefined
  for (;;) {
    const token = v.getUint32(p)
    p += 4
    if (token === FDT_BEGIN_NODE) {
      const name = cstr(p)
      p += new TextEncoder().encode(name).length + 1
      align()
      const n = node(name)
      if (stack.length) stack[stack.length - 1].children.push(n)
      else root = n
      stack.push(n)
    } else if (token === FDT_PROP) {
      const len = v.getUint32(p)
      const nameOff = v.getUint32(p + 4)
      p += 8
      stack[stack.length - 1].props.push([cstr(stringsOff + nameOff), dtb.slice(p, p + len)])
      p += len
      align()
    } else if (token === FDT_END_NODE) {
      stack.pop()
    } else if (token === FDT_NOP) {
      continue
    } else if (token === FDT_END) {
      break
    } else {
      throw new Error(`bad FDT token 0x${token.toString(16)} at offset ${p - 4}`)
    }
  }
  if (!root) throw new Error('empty device tree')
  return root
}

/** Finds a node by path ("/soc/serial@10000000"). */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root
  for (const part of path.split('/').filter(Boolean)) {
    n = n?.children.find((c) => c.name === part)
  }
  return n
}

export function getProp(n: FdtNode, name: string): FdtValue | undefined {
  return n.props.find(([k]) => k === name)?.[1]
}

export interface VirtFdtOptions {
  ramBase: bigint
  ramSize: number
  /** Kernel command line for `/chosen/bootargs` (Linux), when given and not empty (as QEMU's -append). */
  bootargs?: string
  /** Where the initrd was placed ([start, end)): `/chosen/linux,initrd-start` and `linux,initrd-end`. */
  initrd?: { start: bigint; end: bigint }
  /** `riscv,isa` of the hart. */
  isa?: string
  /** `mmu-type` of the hart. */
  mmuType?: string
}

// phandles, in the order QEMU 7.2 assigns them (cpu, its interrupt controller, PLIC, test).
const PHANDLE_CPU0 = 1
const PHANDLE_CPU0_INTC = 2
const PHANDLE_PLIC = 3
const PHANDLE_TEST = 4

const hex = (x: bigint) => x.toString(16)

/** The `virt` machine's device tree (QEMU 7.2 `hw/riscv/virt.c`, `create_fdt*`). */
export function virtDeviceTree(o: VirtFdtOptions): FdtNode {
  const virtio: FdtNode[] = []
  // QEMU emits the transports highest address first, so Linux enumerates them in reverse.
  for (let i = VIRTIO_MMIO_COUNT - 1; i >= 0; i--) {
    const base = VIRTIO_MMIO_BASE + BigInt(i) * VIRTIO_MMIO_STRIDE_BYTES
    virtio.push(
      node(`virtio_mmio@${hex(base)}`, [
        ['interrupts', prop.u32(VIRTIO_IRQ + i)],
        ['interrupt-parent', prop.u32(PHANDLE_PLIC)],
        ['reg', prop.u64cells(base, VIRTIO_MMIO_STRIDE_BYTES)],
        ['compatible', prop.string('virtio,mmio')],
      ]),
    )
  }
  const chosen: [string, FdtValue][] = [['stdout-path', prop.string(`/soc/serial@${hex(UART0_BASE)}`)]]
  // QEMU adds properties to an existing node at its front (libfdt), so the later ones come first.
  if (o.bootargs) chosen.unshift(['bootargs', prop.string(o.bootargs)])
  if (o.initrd) {
    // QEMU 7.2 writes each as one cell (qemu_fdt_setprop_cell); Linux reads any number of cells.
    const cell = (x: bigint) => (x >> 32n === 0n ? prop.u32(Number(x)) : prop.u64cells(x))
    chosen.unshift(['linux,initrd-start', cell(o.initrd.start)])
    chosen.unshift(['linux,initrd-end', cell(o.initrd.end)])
  }
  return node(
    '',
    [
      ['#address-cells', prop.u32(2)],
      ['#size-cells', prop.u32(2)],
      ['compatible', prop.string('riscv-virtio')],
      ['model', prop.string('riscv-virtio,qemu')],
    ],
    [
      node('chosen', chosen),
      node('poweroff', [
        ['value', prop.u32(0x5555)],
        ['offset', prop.u32(0)],
        ['regmap', prop.u32(PHANDLE_TEST)],
        ['compatible', prop.string('syscon-poweroff')],
      ]),
      node('reboot', [
        ['value', prop.u32(0x7777)],
        ['offset', prop.u32(0)],
        ['regmap', prop.u32(PHANDLE_TEST)],
        ['compatible', prop.string('syscon-reboot')],
      ]),
      node(`memory@${hex(o.ramBase)}`, [
        ['device_type', prop.string('memory')],
        ['reg', prop.u64cells(o.ramBase, BigInt(o.ramSize))],
      ]),
      node(
        'cpus',
        [
          ['#address-cells', prop.u32(1)],
          ['#size-cells', prop.u32(0)],
          ['timebase-frequency', prop.u32(TIMEBASE_FREQUENCY_HZ)],
        ],
        [
          node(
            'cpu@0',
            [
              ['phandle', prop.u32(PHANDLE_CPU0)],
              ['device_type', prop.string('cpu')],
              ['reg', prop.u32(0)],
              ['status', prop.string('okay')],
              ['compatible', prop.string('riscv')],
              ['riscv,isa', prop.string(o.isa ?? 'rv64imafdc_zicsr_zifencei')],
              ['mmu-type', prop.string(o.mmuType ?? 'riscv,sv48')],
            ],
            [
              node('interrupt-controller', [
                ['#interrupt-cells', prop.u32(1)],
                ['interrupt-controller', prop.empty()],
                ['compatible', prop.string('riscv,cpu-intc')],
                ['phandle', prop.u32(PHANDLE_CPU0_INTC)],
              ]),
            ],
          ),
          node('cpu-map', [], [node('cluster0', [], [node('core0', [['cpu', prop.u32(PHANDLE_CPU0)]])])]),
        ],
      ),
      node(
        'soc',
        [
          ['#address-cells', prop.u32(2)],
          ['#size-cells', prop.u32(2)],
          ['compatible', prop.string('simple-bus')],
          ['ranges', prop.empty()],
        ],
        [
          node(`serial@${hex(UART0_BASE)}`, [
            ['interrupts', prop.u32(UART0_IRQ)],
            ['interrupt-parent', prop.u32(PHANDLE_PLIC)],
            ['clock-frequency', prop.u32(UART_CLOCK_FREQUENCY_HZ)],
            ['reg', prop.u64cells(UART0_BASE, UART0_SIZE_BYTES)],
            ['compatible', prop.string('ns16550a')],
          ]),
          node(`test@${hex(TEST_FINISHER_BASE)}`, [
            ['phandle', prop.u32(PHANDLE_TEST)],
            ['reg', prop.u64cells(TEST_FINISHER_BASE, TEST_FINISHER_SIZE_BYTES)],
            ['compatible', prop.string('sifive,test1', 'sifive,test0', 'syscon')],
          ]),
          ...virtio,
          node(`plic@${hex(PLIC_BASE)}`, [
            ['phandle', prop.u32(PHANDLE_PLIC)],
            ['riscv,ndev', prop.u32(PLIC_NUM_SOURCES)],
            ['reg', prop.u64cells(PLIC_BASE, PLIC_SIZE_BYTES)],
            // Context 0 → the hart's M external interrupt, context 1 → S external (cpu-intc cells are mip bits).
            ['interrupts-extended', prop.u32(PHANDLE_CPU0_INTC, MIP_MEIP, PHANDLE_CPU0_INTC, MIP_SEIP)],
            ['interrupt-controller', prop.empty()],
            ['compatible', prop.string('sifive,plic-1.0.0', 'riscv,plic0')],
            ['#address-cells', prop.u32(0)],
            ['#interrupt-cells', prop.u32(1)],
          ]),
          node(`clint@${hex(CLINT_BASE)}`, [
            ['interrupts-extended', prop.u32(PHANDLE_CPU0_INTC, MIP_MSIP, PHANDLE_CPU0_INTC, MIP_MTIP)],
            ['reg', prop.u64cells(CLINT_BASE, CLINT_SIZE_BYTES)],
            ['compatible', prop.string('sifive,clint0', 'riscv,clint0')],
          ]),
        ],
      ),
    ],
  )
}
