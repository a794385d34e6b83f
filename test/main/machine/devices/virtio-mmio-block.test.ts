import { describe, expect, it } from 'vitest'
import type { DmaMemory } from '../../../../src/main/machine/devices/bus'
import { CowDisk, diskBaseFromBytes } from '../../../../src/main/machine/devices/cow-disk'
import * as V from '../../../../src/main/machine/devices/virtio-mmio-block'

const RAM_BASE = 0x8000_0000n
const DESC = RAM_BASE + 0x1000n
const AVAIL = RAM_BASE + 0x2000n
const USED = RAM_BASE + 0x3000n
const NUM = 8

function ramOf(bytes: Uint8Array): DmaMemory {
  const inRam = (a: bigint, n: number) => a >= RAM_BASE && a + BigInt(n) <= RAM_BASE + BigInt(bytes.length)
  return {
    read: (a, out) => (inRam(a, out.length) ? (out.set(bytes.subarray(Number(a - RAM_BASE), Number(a - RAM_BASE) + out.length)), true) : false),
    write: (a, d) => (inRam(a, d.length) ? (bytes.set(d, Number(a - RAM_BASE)), true) : false),
  }
}

function setup(withDisk = true) {
  const ram = new Uint8Array(0x10000)
  const view = new DataView(ram.buffer)
  const image = new Uint8Array(4 * 512)
  for (let i = 0; i < image.length; i++) image[i] = (i * 7) & 0xff
  const disk = new CowDisk(diskBaseFromBytes(image))
  const irq: boolean[] = []
  const dev = new V.VirtioMmioBlock({ name: 'virtio0', base: 0x1000_1000n, irq: (l) => irq.push(l), memory: ramOf(ram), disk: withDisk ? disk : undefined })
  const r = (off: number) => Number(dev.read(off, 4))
  const w = (off: number, v: number) => dev.write(off, 4, BigInt(v))
  /** The xv6-riscv `virtio_disk_init` sequence. */
  const init = () => {
    w(V.VIRTIO_MMIO_STATUS, 0)
    w(V.VIRTIO_MMIO_STATUS, 1)
    w(V.VIRTIO_MMIO_STATUS, 1 | 2)
    w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0)
    const features = r(V.VIRTIO_MMIO_DEVICE_FEATURES)
    w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0)
    w(V.VIRTIO_MMIO_DRIVER_FEATURES, features & ~((1 << 5) | (1 << 7) | (1 << 11) | (1 << 12) | (1 << 27) | (1 << 28) | (1 << 29)))
    w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
    w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1)
    w(V.VIRTIO_MMIO_DRIVER_FEATURES, r(V.VIRTIO_MMIO_DEVICE_FEATURES))
    w(V.VIRTIO_MMIO_STATUS, 1 | 2 | 8)
    const status = r(V.VIRTIO_MMIO_STATUS)
    w(V.VIRTIO_MMIO_QUEUE_SEL, 0)
    w(V.VIRTIO_MMIO_QUEUE_NUM, NUM)
    w(V.VIRTIO_MMIO_QUEUE_DESC_LOW, Number(DESC & 0xffff_ffffn))
    w(V.VIRTIO_MMIO_QUEUE_DESC_HIGH, 0)
    w(V.VIRTIO_MMIO_QUEUE_DRIVER_LOW, Number(AVAIL & 0xffff_ffffn))
    w(V.VIRTIO_MMIO_QUEUE_DEVICE_LOW, Number(USED & 0xffff_ffffn))
    w(V.VIRTIO_MMIO_QUEUE_READY, 1)
    w(V.VIRTIO_MMIO_STATUS, 1 | 2 | 8 | 4)
    return status
  }
  const off = (a: bigint) => Number(a - RAM_BASE)
  const setDesc = (i: number, addr: bigint, len: number, flags: number, next: number) => {
    view.setBigUint64(off(DESC) + i * 16, addr, true)
    view.setUint32(off(DESC) + i * 16 + 8, len, true)
    view.setUint16(off(DESC) + i * 16 + 12, flags, true)
    view.setUint16(off(DESC) + i * 16 + 14, next, true)
  }
  /** Queues a three-descriptor request (header, data, status) and notifies. */
  const request = (type: number, sector: number, buf: bigint, len: number) => {
    const hdr = RAM_BASE + 0x4000n
    view.setUint32(off(hdr), type, true)
    view.setBigUint64(off(hdr) + 8, BigInt(sector), true)
    const statusAddr = RAM_BASE + 0x4100n
    ram[off(statusAddr)] = 0xff
    setDesc(0, hdr, 16, V.VIRTQ_DESC_F_NEXT, 1)
    setDesc(1, buf, len, V.VIRTQ_DESC_F_NEXT | (type === V.VIRTIO_BLK_T_IN ? V.VIRTQ_DESC_F_WRITE : 0), 2)
    setDesc(2, statusAddr, 1, V.VIRTQ_DESC_F_WRITE, 0)
    const idx = view.getUint16(off(AVAIL) + 2, true)
    view.setUint16(off(AVAIL) + 4 + (idx % NUM) * 2, 0, true)
    view.setUint16(off(AVAIL) + 2, idx + 1, true)
    w(V.VIRTIO_MMIO_QUEUE_NOTIFY, 0)
    return ram[off(statusAddr)]
  }
  return { dev, ram, view, image, disk, irq, r, w, init, request, off }
}

describe('VirtioMmioBlock', () => {
  it('identifies as a modern (version 2) virtio block device from QEMU, as xv6 checks', () => {
    const s = setup()
    expect(s.r(V.VIRTIO_MMIO_MAGIC_VALUE)).toBe(0x74726976)
    expect(s.r(V.VIRTIO_MMIO_VERSION)).toBe(2)
    expect(s.r(V.VIRTIO_MMIO_DEVICE_ID)).toBe(2)
    expect(s.r(V.VIRTIO_MMIO_VENDOR_ID)).toBe(0x554d4551)
  })

  it('reads device id 0 for an empty transport', () => {
    expect(setup(false).r(V.VIRTIO_MMIO_DEVICE_ID)).toBe(0)
  })

  it('offers VIRTIO_F_VERSION_1 in the high feature word and accepts the xv6 negotiation', () => {
    const s = setup()
    s.w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1)
    expect(s.r(V.VIRTIO_MMIO_DEVICE_FEATURES) & 1).toBe(1)
    expect(s.init() & 8).toBe(8)
    expect(s.r(V.VIRTIO_MMIO_QUEUE_NUM_MAX)).toBeGreaterThanOrEqual(NUM)
    expect(s.r(V.VIRTIO_MMIO_QUEUE_READY)).toBe(1)
  })

  it('clears FEATURES_OK when the driver asks for features the device does not have', () => {
    const s = setup()
    s.w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0)
    s.w(V.VIRTIO_MMIO_DRIVER_FEATURES, 1 << 28)
    s.w(V.VIRTIO_MMIO_STATUS, 1 | 2 | 8)
    expect(s.r(V.VIRTIO_MMIO_STATUS) & 8).toBe(0)
  })

  it('reports the capacity in 512-byte sectors in config space', () => {
    const s = setup()
    expect(s.dev.read(V.VIRTIO_MMIO_CONFIG, 8)).toBe(4n)
    expect(s.r(V.VIRTIO_MMIO_CONFIG + 4)).toBe(0)
  })

  it('serves a read request into guest memory, fills the used ring and raises the interrupt', () => {
    const s = setup()
    s.init()
    const status = s.request(V.VIRTIO_BLK_T_IN, 1, RAM_BASE + 0x5000n, 512)
    expect(status).toBe(V.VIRTIO_BLK_S_OK)
    expect(Array.from(s.ram.subarray(0x5000, 0x5200))).toEqual(Array.from(s.image.subarray(512, 1024)))
    expect(s.view.getUint16(s.off(USED) + 2, true)).toBe(1)
    expect(s.view.getUint32(s.off(USED) + 4, true)).toBe(0) // id = head descriptor
    expect(s.view.getUint32(s.off(USED) + 8, true)).toBe(513) // data + status byte
    // The wire is driven on reset (low) and on each completion (high), as QEMU's virtio_mmio_update_irq.
    expect(s.irq.at(-1)).toBe(true)
    expect(s.irq.filter((l) => l)).toHaveLength(1)
    expect(s.r(V.VIRTIO_MMIO_INTERRUPT_STATUS)).toBe(1)
    s.w(V.VIRTIO_MMIO_INTERRUPT_ACK, 1)
    expect(s.irq.at(-1)).toBe(false)
  })

  it('writes into the copy-on-write overlay and reads the written data back, leaving the image untouched', () => {
    const s = setup()
    s.init()
    const original = Uint8Array.from(s.image)
    s.ram.fill(0xee, 0x6000, 0x6200)
    expect(s.request(V.VIRTIO_BLK_T_OUT, 2, RAM_BASE + 0x6000n, 512)).toBe(V.VIRTIO_BLK_S_OK)
    expect(s.image).toEqual(original)
    expect(s.disk.dirtySectors).toBe(1)
    expect(s.request(V.VIRTIO_BLK_T_IN, 2, RAM_BASE + 0x7000n, 512)).toBe(V.VIRTIO_BLK_S_OK)
    expect(s.ram[0x7000]).toBe(0xee)
    expect(s.ram[0x71ff]).toBe(0xee)
    expect(s.view.getUint16(s.off(USED) + 2, true)).toBe(2)
  })

  it('answers IOERR for a sector past the end and UNSUPP for an unknown request type', () => {
    const s = setup()
    s.init()
    expect(s.request(V.VIRTIO_BLK_T_IN, 4, RAM_BASE + 0x5000n, 512)).toBe(V.VIRTIO_BLK_S_IOERR)
    expect(s.request(99, 0, RAM_BASE + 0x5000n, 512)).toBe(V.VIRTIO_BLK_S_UNSUPP)
  })

  it('forgets the queue and features on a status reset', () => {
    const s = setup()
    s.init()
    s.w(V.VIRTIO_MMIO_STATUS, 0)
    expect(s.r(V.VIRTIO_MMIO_QUEUE_READY)).toBe(0)
    expect(s.r(V.VIRTIO_MMIO_STATUS)).toBe(0)
    expect(s.dev.negotiatedFeatures).toBe(0n)
  })
})
