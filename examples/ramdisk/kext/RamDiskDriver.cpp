// SPDX-License-Identifier: MIT
//
// The RAM-disk kext skeleton (see RamDiskDriver.hpp). Compiled in CI, on
// Linux, against kdrv's stand-in SDK with the kext code generation
// (CTest: examples/ramdisk/kext/<arch>).
#include "RamDiskDriver.hpp"

#include <IOKit/IOLib.h>

OSDefineMetaClassAndStructors(org_kdrv_RamDisk, IOService);

namespace
{
// The book's RAM disk: 16 MiB of 512-byte blocks.
const uint32_t kBlockSize = 512;
const IOByteCount kImageBytes = 16u * 1024u * 1024u;

// One disk per kext (matched once, on IOResources); its constructor is
// constexpr, so the global is constant-initialized: nothing runs at load.
KDRV_CONST_INIT ramdisk::Disk gDisk;
KDRV_CONST_INIT kdrv::AtomicFlag gDiskClaimed;

kdrv::Guid makeGuid(uint32_t d1, uint16_t d2, uint16_t d3, uint64_t d4)
{
    kdrv::Guid g;
    g.data1 = d1;
    g.data2 = d2;
    g.data3 = d3;
    kdrv::storeBE64(g.data4, d4);
    return g;
}
} // namespace

bool org_kdrv_RamDisk::start(IOService* provider)
{
    if (!IOService::start(provider))
        return false;
    if (gDiskClaimed.testAndSet(kdrv::MemoryOrder::Acquire))
        return false;
    fImageBytes = kImageBytes;
    fImage = static_cast<uint8_t*>(IOMalloc(fImageBytes));
    if (fImage == nullptr)
    {
        gDiskClaimed.clear(kdrv::MemoryOrder::Release);
        return false;
    }
    kdrv::zeroBytes(fImage, fImageBytes);
    // One partition of the book's sample filter-scheme type over the usable
    // blocks, written into the disk's own image and read back.
    const ramdisk::PartitionSpec part = {
        makeGuid(0x8D7FD0BBu, 0x39A8u, 0x43C0u, 0x9432F4E1A269F070ull),
        makeGuid(0x52414D44u, 0x4953u, 0x4B00u, 1u), 34, kImageBytes / kBlockSize - 34 - 33,
        "kdrv RAM disk"};
    kdrv::Status s = ramdisk::formatGpt(fImage, fImageBytes, kBlockSize,
                                        makeGuid(0x52414D44u, 0x4953u, 0x4B00u, 0u), &part, 1);
    if (s == kdrv::Status::Success)
        s = gDisk.init(fImage, fImageBytes, kBlockSize);
    if (s == kdrv::Status::Success)
        s = gDisk.scan();
    if (s != kdrv::Status::Success)
    {
        IOLog("org_kdrv_RamDisk: %s\n", kdrv::statusName(s));
        IOFree(fImage, fImageBytes);
        fImage = nullptr;
        gDiskClaimed.clear(kdrv::MemoryOrder::Release);
        return false;
    }
    const kdrv::Partition* p = gDisk.partition(0);
    IOLog("org_kdrv_RamDisk: %u partition(s); the first at block %llu, %llu blocks\n",
          gDisk.partitionCount(), static_cast<unsigned long long>(p != nullptr ? p->startBlock : 0),
          static_cast<unsigned long long>(p != nullptr ? p->blockCount : 0));
    registerService();
    return true;
}

void org_kdrv_RamDisk::stop(IOService* provider)
{
    gDisk.terminate(); // queued requests complete with Aborted, new ones get NotAttached
    gDisk.destroy();
    if (fImage != nullptr)
        IOFree(fImage, fImageBytes);
    fImage = nullptr;
    gDiskClaimed.clear(kdrv::MemoryOrder::Release);
    IOService::stop(provider);
}

IOReturn org_kdrv_RamDisk::readWrite(ramdisk::Request* request, IOMemoryDescriptor* memory,
                                     void* mapped, UInt32 direction, UInt64 block, UInt64 nblks,
                                     const kdrv::Completion& completion)
{
    if (request == nullptr || memory == nullptr)
        return kdrv::toIOReturn(kdrv::Status::BadArgument);
    request->direction = direction;
    request->block = block;
    request->nblks = nblks;
    request->buffer = static_cast<uint8_t*>(mapped);
    request->bufferBytes = memory->getLength();
    const kdrv::Status s = gDisk.submit(request, completion);
    if (s != kdrv::Status::Success)
        return kdrv::toIOReturn(s); // the completion never runs
    // A RAM disk is its own hardware: serve the queue now.
    while (gDisk.serviceOne())
    {
    }
    return kIOReturnSuccess;
}

IOReturn org_kdrv_RamDisk::maxValidBlock(UInt64* last) const
{
    uint64_t value = 0;
    const kdrv::Status s = gDisk.maxValidBlock(&value);
    if (s == kdrv::Status::Success && last != nullptr)
        *last = value;
    return kdrv::toIOReturn(s);
}

IOReturn org_kdrv_RamDisk::unmap(const kdrv::BlockExtent* extents, UInt32 count)
{
    uint32_t bad = 0;
    return kdrv::toIOReturn(gDisk.unmap(extents, count, &bad));
}
