import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findNode, getProp, readFdt, virtDeviceTree, writeFdt, type FdtNode } from '../../../../src/main/machine/devices/fdt'
import { oracle, qemu } from '../../../support/oracles'

const dtb = writeFdt(virtDeviceTree({ ramBase: 0x8000_0000n, ramSize: 128 * 1024 * 1024 }))
const be32 = (v: Uint8Array, i = 0) => new DataView(v.buffer, v.byteOffset).getUint32(i * 4)
const str = (v: Uint8Array) => new TextDecoder().decode(v).replace(/\0$/, '').split('\0')

describe('writeFdt / readFdt', () => {
  it('writes a version-17 DTB whose header sizes add up', () => {
    const v = new DataView(dtb.buffer)
    expect(v.getUint32(0)).toBe(0xd00dfeed)
    expect(v.getUint32(4)).toBe(dtb.length)
    expect(v.getUint32(20)).toBe(17)
    expect(v.getUint32(12) + v.getUint32(32)).toBe(dtb.length) // strings end the blob
  })

  it('reads back the virt tree it wrote', () => {
    const root = readFdt(dtb)
    expect(str(getProp(root, 'compatible')!)).toEqual(['riscv-virtio'])
    const cpu = findNode(root, '/cpus/cpu@0')!
    expect(str(getProp(cpu, 'riscv,isa')!)).toEqual(['rv64imafdc_zicsr_zifencei'])
    expect(str(getProp(cpu, 'mmu-type')!)).toEqual(['riscv,sv48'])
    expect(be32(getProp(findNode(root, '/cpus')!, 'timebase-frequency')!)).toBe(10_000_000)
    expect(be32(getProp(findNode(root, '/soc/serial@10000000')!, 'clock-frequency')!)).toBe(3_686_400)
    expect(str(getProp(findNode(root, '/chosen')!, 'stdout-path')!)).toEqual(['/soc/serial@10000000'])
    const mem = getProp(findNode(root, '/memory@80000000')!, 'reg')!
    expect([be32(mem, 0), be32(mem, 1), be32(mem, 2), be32(mem, 3)]).toEqual([0, 0x8000_0000, 0, 0x800_0000])
    expect(findNode(root, '/soc')!.children.filter((c) => c.name.startsWith('virtio_mmio@'))).toHaveLength(8)
  })

  it('puts bootargs into /chosen when given', () => {
    const root = readFdt(writeFdt(virtDeviceTree({ ramBase: 0x8000_0000n, ramSize: 1 << 26, bootargs: 'console=ttyS0' })))
    expect(str(getProp(findNode(root, '/chosen')!, 'bootargs')!)).toEqual(['console=ttyS0'])
  })
})

const dtc = oracle('dtc', 'device-tree-compiler')
describe.skipIf(dtc.missing)('the virt DTB through dtc', () => {
  it('decompiles without errors and shows the nodes firmware looks for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'))
    writeFileSync(join(dir, 'ours.dtb'), dtb)
    const dts = execFileSync(dtc.path!, ['-I', 'dtb', '-O', 'dts', join(dir, 'ours.dtb')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    for (const needle of ['serial@10000000', 'plic@c000000', 'clint@2000000', 'test@100000', 'virtio_mmio@10001000', 'compatible = "ns16550a";', 'riscv,ndev = <0x60>;']) {
      expect(dts).toContain(needle)
    }
  })
})

const q = qemu()
describe.skipIf(q.missing || dtc.missing)('the virt DTB against QEMU 7.2', () => {
  it('matches every property of QEMU’s dump for the nodes we describe (except the hart’s ISA string)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'))
    const file = join(dir, 'virt.dtb')
    execFileSync(q.path!, ['-M', `virt,dumpdtb=${file}`, '-nographic', '-bios', 'none'], { stdio: 'ignore', timeout: 20_000 })
    const theirs = readFdt(new Uint8Array(readFileSync(file)))
    const ours = readFdt(dtb)
    const compare = (n: FdtNode, path: string) => {
      const other = findNode(theirs, path)
      expect(other, `QEMU has ${path}`).toBeDefined()
      for (const [name, value] of n.props) {
        if (name === 'riscv,isa') continue // QEMU lists extensions our hart does not implement
        expect([path, name, Array.from(getProp(other!, name) ?? [])]).toEqual([path, name, Array.from(value)])
      }
      for (const c of n.children) compare(c, `${path === '/' ? '' : path}/${c.name}`)
    }
    compare(ours, '/')
  })
})

describe.skipIf(q.missing)('/chosen with -initrd and -append against QEMU 7.2', () => {
  it('has the same properties, in the same order, as QEMU’s dump (but for its random rng-seed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'))
    const file = join(dir, 'virt.dtb')
    const initrd = new Uint8Array(12345).fill(7)
    writeFileSync(join(dir, 'initrd.img'), initrd)
    writeFileSync(join(dir, 'k.bin'), new Uint8Array([0x13, 0, 0, 0]))
    const append = 'console=ttyS0 root=/dev/ram rdinit=/init'
    const args = ['-M', `virt,dumpdtb=${file}`, '-nographic', '-bios', 'none', '-kernel', join(dir, 'k.bin'), '-initrd', join(dir, 'initrd.img'), '-append', append]
    execFileSync(q.path!, args, { stdio: 'ignore', timeout: 20_000 })
    const theirs = findNode(readFdt(new Uint8Array(readFileSync(file))), '/chosen')!.props.filter(([name]) => name !== 'rng-seed')
    // QEMU puts a raw -kernel at DRAM base without firmware, and the initrd half-way into 128 MiB above it.
    const ours = findNode(readFdt(writeFdt(virtDeviceTree({ ramBase: 0x8000_0000n, ramSize: 128 * 1024 * 1024, bootargs: append, initrd: { start: 0x8400_0000n, end: 0x8400_0000n + 12345n } }))), '/chosen')!.props
    expect(ours.map(([name, value]) => [name, Array.from(value)])).toEqual(theirs.map(([name, value]) => [name, Array.from(value)]))
    expect(ours.map(([name]) => name)).toEqual(['linux,initrd-end', 'linux,initrd-start', 'bootargs', 'stdout-path'])
  })

  it('an empty command line gives no bootargs, as QEMU', () => {
    expect(getProp(findNode(readFdt(writeFdt(virtDeviceTree({ ramBase: 0x8000_0000n, ramSize: 1 << 27, bootargs: '' }))), '/chosen')!, 'bootargs')).toBeUndefined()
  })
})
