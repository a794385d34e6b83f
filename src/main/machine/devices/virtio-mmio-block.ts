/**
 * A virtio block device behind a virtio-mmio transport, version 2 ("modern"), as in the VIRTIO 1.1
 * specification §4.2.2 (MMIO device register layout), §2.6 (split virtqueues) and §5.2 (block
 * device). QEMU virt puts eight transports at 0x1000_1000 + 0x1000·i on PLIC sources 1..8; a
 * transport with nothing plugged in reads device id 0. Requests complete synchronously at the
 * guest's `QueueNotify` write, so the boot stays deterministic. xv6-riscv's `virtio_disk.c` and
 * Linux's virtio_blk drive it.
 */
import type { AccessSize, Device, DmaMemory, IrqLine } from './bus'
import { SECTOR_SIZE_BYTES, type CowDisk } from './cow-disk'

// §4.2.2 register offsets.
export const VIRTIO_MMIO_MAGIC_VALUE = 0x000
export const VIRTIO_MMIO_VERSION = 0x004
export const VIRTIO_MMIO_DEVICE_ID = 0x008
export const VIRTIO_MMIO_VENDOR_ID = 0x00c
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024
export const VIRTIO_MMIO_QUEUE_SEL = 0x030
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034
export const VIRTIO_MMIO_QUEUE_NUM = 0x038
export const VIRTIO_MMIO_QUEUE_READY = 0x044
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064
export const VIRTIO_MMIO_STATUS = 0x070
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084
export const VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090
export const VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094
export const VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0
export const VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc
export const VIRTIO_MMIO_CONFIG = 0x100

/** "virt" in little-endian ASCII. */
export const VIRTIO_MMIO_MAGIC = 0x7472_6976
/** QEMU's vendor id, "QEMU" little-endian. */
export const VIRTIO_VENDOR_QEMU = 0x554d_4551
export const VIRTIO_ID_BLOCK = 2

// Feature bits (§6 reserved bits, §5.2.3 block features).
export const VIRTIO_BLK_F_FLUSH = 9
export const VIRTIO_F_VERSION_1 = 32

export const VIRTIO_CONFIG_S_DRIVER_OK = 4
export const VIRTIO_CONFIG_S_FEATURES_OK = 8

/** §2.6.5: descriptor flags. */
export const VIRTQ_DESC_F_NEXT = 1
export const VIRTQ_DESC_F_WRITE = 2
export const VIRTQ_DESC_F_INDIRECT = 4

/** §5.2.6 request types and status values. */
export const VIRTIO_BLK_T_IN = 0
export const VIRTIO_BLK_T_OUT = 1
export const VIRTIO_BLK_T_FLUSH = 4
export const VIRTIO_BLK_T_GET_ID = 8
export const VIRTIO_BLK_S_OK = 0
export const VIRTIO_BLK_S_IOERR = 1
export const VIRTIO_BLK_S_UNSUPP = 2

/** VIRTIO_MMIO_INT_VRING: "the device used a buffer in at least one of the active virtual queues". */
export const VIRTIO_MMIO_INT_VRING = 1

/** Largest queue the device accepts (QEMU virtio-blk's default queue size). */
export const VIRTIO_BLK_QUEUE_NUM_MAX = 256

const DEVICE_FEATURES = (1n << BigInt(VIRTIO_F_VERSION_1)) | (1n << BigInt(VIRTIO_BLK_F_FLUSH))

interface Queue {
  num: number
  ready: boolean
  desc: bigint
  driver: bigint
  device: bigint
  lastAvailIdx: number
}

function newQueue(): Queue {
  return { num: 0, ready: false, desc: 0n, driver: 0n, device: 0n, lastAvailIdx: 0 }
}

function setLow(reg: bigint, v: number): bigint {
  return (reg & 0xffff_ffff_0000_0000n) | BigInt(v >>> 0)
}

function setHigh(reg: bigint, v: number): bigint {
  return (reg & 0xffff_ffffn) | (BigInt(v >>> 0) << 32n)
}

export interface VirtioMmioOptions {
  name: string
  base: bigint
  irq: IrqLine
  memory: DmaMemory
  /** The disk behind this transport, or undefined for an empty slot (device id 0). */
  disk?: CowDisk
  /** Called when the driver makes the device misbehave (bad descriptor, DMA outside RAM). */
  onError?: (message: string) => void
}

export class VirtioMmioBlock implements Device {
  readonly name: string
  readonly base: bigint
  readonly size = 0x1000n

  private status = 0
  private deviceFeaturesSel = 0
  private driverFeaturesSel = 0
  private driverFeatures = 0n
  private queueSel = 0
  private readonly queue: Queue = newQueue()
  private interruptStatus = 0
  /** Requests served, for the machine's statistics. */
  requests = 0

  constructor(private readonly opts: VirtioMmioOptions) {
    this.name = opts.name
    this.base = opts.base
  }

  get negotiatedFeatures(): bigint {
    return this.driverFeatures
  }

  read(offset: number, size: AccessSize): bigint {
    const disk = this.opts.disk
    if (offset >= VIRTIO_MMIO_CONFIG) return this.readConfig(offset - VIRTIO_MMIO_CONFIG, size)
    switch (offset) {
      case VIRTIO_MMIO_MAGIC_VALUE:
        return BigInt(VIRTIO_MMIO_MAGIC)
      case VIRTIO_MMIO_VERSION:
        return 2n
      case VIRTIO_MMIO_DEVICE_ID:
        return disk ? BigInt(VIRTIO_ID_BLOCK) : 0n
      case VIRTIO_MMIO_VENDOR_ID:
        return BigInt(VIRTIO_VENDOR_QEMU)
      case VIRTIO_MMIO_DEVICE_FEATURES:
        if (!disk) return 0n
        return this.deviceFeaturesSel === 0 ? DEVICE_FEATURES & 0xffff_ffffn : this.deviceFeaturesSel === 1 ? DEVICE_FEATURES >> 32n : 0n
      case VIRTIO_MMIO_QUEUE_NUM_MAX:
        return disk && this.queueSel === 0 ? BigInt(VIRTIO_BLK_QUEUE_NUM_MAX) : 0n
      case VIRTIO_MMIO_QUEUE_NUM:
        return BigInt(this.queue.num)
      case VIRTIO_MMIO_QUEUE_READY:
        return this.queueSel === 0 && this.queue.ready ? 1n : 0n
      case VIRTIO_MMIO_INTERRUPT_STATUS:
        return BigInt(this.interruptStatus)
      case VIRTIO_MMIO_STATUS:
        return BigInt(this.status)
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
        return this.queue.desc & 0xffff_ffffn
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        return this.queue.desc >> 32n
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        return this.queue.driver & 0xffff_ffffn
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        return this.queue.driver >> 32n
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        return this.queue.device & 0xffff_ffffn
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        return this.queue.device >> 32n
      case VIRTIO_MMIO_CONFIG_GENERATION:
        return 0n
      default:
        return 0n
    }
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    if (!this.opts.disk) return
    const v = Number(value & 0xffff_ffffn)
    // Queue registers address the queue chosen by QueueSel; the block device has one (requestq).
    const q = this.queueSel === 0 ? this.queue : undefined
    switch (offset) {
      case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        this.deviceFeaturesSel = v
        return
      case VIRTIO_MMIO_DRIVER_FEATURES:
        if (this.driverFeaturesSel === 0) this.driverFeatures = setLow(this.driverFeatures, v)
        else if (this.driverFeaturesSel === 1) this.driverFeatures = setHigh(this.driverFeatures, v)
        return
      case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        this.driverFeaturesSel = v
        return
      case VIRTIO_MMIO_QUEUE_SEL:
        this.queueSel = v
        return
      case VIRTIO_MMIO_QUEUE_NUM:
        if (q) q.num = Math.min(v, VIRTIO_BLK_QUEUE_NUM_MAX)
        return
      case VIRTIO_MMIO_QUEUE_READY:
        if (q) q.ready = (v & 1) === 1
        return
      case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (v === 0 && this.queue.ready && this.status & VIRTIO_CONFIG_S_DRIVER_OK) this.processQueue()
        return
      case VIRTIO_MMIO_INTERRUPT_ACK:
        this.interruptStatus &= ~v
        this.updateIrq()
        return
      case VIRTIO_MMIO_STATUS:
        if (v === 0) {
          this.reset()
          return
        }
        // §2.2: FEATURES_OK stays set only if the device accepts the driver's subset.
        if (v & VIRTIO_CONFIG_S_FEATURES_OK && (this.driverFeatures & ~DEVICE_FEATURES) !== 0n) {
          this.status = v & ~VIRTIO_CONFIG_S_FEATURES_OK
          return
        }
        this.status = v
        return
      case VIRTIO_MMIO_QUEUE_DESC_LOW:
        if (q) q.desc = setLow(q.desc, v)
        return
      case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        if (q) q.desc = setHigh(q.desc, v)
        return
      case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
        if (q) q.driver = setLow(q.driver, v)
        return
      case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        if (q) q.driver = setHigh(q.driver, v)
        return
      case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
        if (q) q.device = setLow(q.device, v)
        return
      case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (q) q.device = setHigh(q.device, v)
        return
      default:
        return
    }
  }

  /** §5.2.4 `struct virtio_blk_config`: capacity (u64, in 512-byte sectors) is all drivers here need. */
  private readConfig(at: number, size: AccessSize): bigint {
    const config = new Uint8Array(0x40)
    const view = new DataView(config.buffer)
    view.setBigUint64(0, BigInt(this.opts.disk?.sectors ?? 0), true)
    if (at + size > config.length) return 0n
    let v = 0n
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(config[at + i])
    return v
  }

  private reset(): void {
    this.status = 0
    this.deviceFeaturesSel = 0
    this.driverFeaturesSel = 0
    this.driverFeatures = 0n
    this.queueSel = 0
    Object.assign(this.queue, newQueue())
    this.interruptStatus = 0
    this.updateIrq()
  }

  /**
   * QEMU's virtio_mmio_update_irq: the wire is driven to (InterruptStatus ≠ 0) on every
   * notification and acknowledgement, changed or not — the PLIC takes each drive as the new
   * pending state, so a completion while the status is still set interrupts again.
   */
  private updateIrq(): void {
    this.opts.irq(this.interruptStatus !== 0)
  }

  private fail(message: string): void {
    this.opts.onError?.(`${this.name}: ${message}`)
  }

  private readBytes(addr: bigint, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len)
    return this.opts.memory.read(addr, out) ? out : undefined
  }

  /** §2.6.13 "Supplying Buffers to The Device", device side: consume the avail ring, fill used. */
  private processQueue(): void {
    const q = this.queue
    if (q.num === 0) return
    const availIdxBytes = this.readBytes(q.driver + 2n, 2)
    if (!availIdxBytes) return this.fail('avail ring outside RAM')
    const availIdx = availIdxBytes[0] | (availIdxBytes[1] << 8)
    let served = 0
    while (q.lastAvailIdx !== availIdx) {
      const slot = q.lastAvailIdx % q.num
      const headBytes = this.readBytes(q.driver + 4n + BigInt(slot * 2), 2)
      if (!headBytes) return this.fail('avail ring outside RAM')
      const head = headBytes[0] | (headBytes[1] << 8)
      const written = this.serve(head)
      if (written === undefined) return
      // Used ring element (§2.6.8): { le32 id; le32 len } at used + 4 + 8·slot; then bump used.idx.
      const usedIdxBytes = this.readBytes(q.device + 2n, 2)
      if (!usedIdxBytes) return this.fail('used ring outside RAM')
      const usedIdx = usedIdxBytes[0] | (usedIdxBytes[1] << 8)
      const elem = new Uint8Array(8)
      const ev = new DataView(elem.buffer)
      ev.setUint32(0, head, true)
      ev.setUint32(4, written, true)
      this.opts.memory.write(q.device + 4n + BigInt((usedIdx % q.num) * 8), elem)
      const nextUsed = (usedIdx + 1) & 0xffff
      this.opts.memory.write(q.device + 2n, Uint8Array.of(nextUsed & 0xff, nextUsed >> 8))
      q.lastAvailIdx = (q.lastAvailIdx + 1) & 0xffff
      served++
      this.requests++
    }
    if (served > 0) {
      this.interruptStatus |= VIRTIO_MMIO_INT_VRING
      this.updateIrq()
    }
  }

  /** Walks one descriptor chain and performs the block request; returns bytes written to guest memory. */
  private serve(head: number): number | undefined {
    const q = this.queue
    const chain: { addr: bigint; len: number; write: boolean }[] = []
    let idx = head
    for (let hops = 0; ; hops++) {
      if (hops >= q.num || idx >= q.num) {
        this.fail(`descriptor chain from ${head} is longer than the queue or points past it`)
        return undefined
      }
      const raw = this.readBytes(q.desc + BigInt(idx * 16), 16)
      if (!raw) {
        this.fail('descriptor table outside RAM')
        return undefined
      }
      const dv = new DataView(raw.buffer)
      const flags = dv.getUint16(12, true)
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        this.fail('indirect descriptors were not negotiated')
        return undefined
      }
      chain.push({ addr: dv.getBigUint64(0, true), len: dv.getUint32(8, true), write: (flags & VIRTQ_DESC_F_WRITE) !== 0 })
      if (!(flags & VIRTQ_DESC_F_NEXT)) break
      idx = dv.getUint16(14, true)
    }
    // §5.2.6: header { le32 type; le32 reserved; le64 sector } first, status byte last, data between.
    const header = this.readBytes(chain[0].addr, 16)
    const statusDesc = chain[chain.length - 1]
    if (!header || chain.length < 2 || !statusDesc.write || statusDesc.len < 1) {
      this.fail('malformed block request (needs a 16-byte header and a writable status byte)')
      return undefined
    }
    const hv = new DataView(header.buffer)
    const type = hv.getUint32(0, true)
    let sector = Number(hv.getBigUint64(8, true))
    const data = chain.slice(1, -1)
    const disk = this.opts.disk!
    let status = VIRTIO_BLK_S_OK
    let written = 0
    const buf = new Uint8Array(SECTOR_SIZE_BYTES)
    if (type === VIRTIO_BLK_T_IN || type === VIRTIO_BLK_T_OUT) {
      outer: for (const d of data) {
        if (d.len % SECTOR_SIZE_BYTES !== 0) {
          status = VIRTIO_BLK_S_IOERR
          break
        }
        for (let off = 0; off < d.len; off += SECTOR_SIZE_BYTES, sector++) {
          if (sector >= disk.sectors) {
            status = VIRTIO_BLK_S_IOERR
            break outer
          }
          const at = d.addr + BigInt(off)
          if (type === VIRTIO_BLK_T_IN) {
            disk.readSector(sector, buf)
            if (!this.opts.memory.write(at, buf)) {
              status = VIRTIO_BLK_S_IOERR
              break outer
            }
            written += SECTOR_SIZE_BYTES
          } else {
            if (!this.opts.memory.read(at, buf)) {
              status = VIRTIO_BLK_S_IOERR
              break outer
            }
            disk.writeSector(sector, buf)
          }
        }
      }
    } else if (type === VIRTIO_BLK_T_FLUSH) {
      status = VIRTIO_BLK_S_OK // the overlay lives in memory: nothing to flush
    } else if (type === VIRTIO_BLK_T_GET_ID && data.length > 0) {
      const id = new Uint8Array(Math.min(20, data[0].len))
      id.set(new TextEncoder().encode('bootscope-disk').subarray(0, id.length))
      this.opts.memory.write(data[0].addr, id)
      written += id.length
    } else {
      status = VIRTIO_BLK_S_UNSUPP
    }
    this.opts.memory.write(statusDesc.addr, Uint8Array.of(status))
    return written + 1
  }
}
