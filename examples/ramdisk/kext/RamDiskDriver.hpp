// SPDX-License-Identifier: MIT
//
// The RAM-disk kext skeleton: the I/O Kit shell around ramdisk::Disk.
//
//   org_kdrv_RamDisk   an IOService matched on IOResources (the disk is
//                      virtual). start() allocates the image with IOMalloc,
//                      writes a GPT into it and reads it back through the
//                      core; stop() terminates the disk (queued I/O is
//                      completed with Aborted) and frees the image.
//
// A shipping driver derives from IOBlockStorageDevice, whose headers are
// not part of kdrv's stand-in SDK. Its doAsyncReadWrite(buffer, block,
// nblks, attributes, completion) maps the memory descriptor and forwards to
// readWrite() below, with the IOStorageCompletion's target/action/parameter
// as the kdrv::Completion (kdrv's Status values are IOReturn values);
// reportMaxValidBlock forwards to maxValidBlock(), doUnmap to unmap().
// Everything that is driver logic is in ../core and shared, unchanged, with
// the tests (tests/ramdisk_example_test.cpp).
#ifndef ORG_KDRV_RAMDISK_DRIVER_HPP
#define ORG_KDRV_RAMDISK_DRIVER_HPP

#include <IOKit/IOMemoryDescriptor.h>
#include <IOKit/IOService.h>

#include "kdrv/completion.hpp"
#include "kdrv/status.hpp"

#include "ramdisk/core/ramdisk_core.hpp"

class org_kdrv_RamDisk : public IOService
{
    OSDeclareDefaultStructors(org_kdrv_RamDisk);

  public:
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;

    // doAsyncReadWrite over a mapped buffer: Success means the completion
    // will run exactly once (here: before this returns, the RAM disk is
    // synchronous); any other value means it never runs and the caller
    // still owns `request`.
    IOReturn readWrite(ramdisk::Request* request, IOMemoryDescriptor* memory, void* mapped,
                       UInt32 direction, UInt64 block, UInt64 nblks,
                       const kdrv::Completion& completion);
    IOReturn maxValidBlock(UInt64* last) const;
    IOReturn unmap(const kdrv::BlockExtent* extents, UInt32 count);

  private:
    uint8_t* fImage;
    IOByteCount fImageBytes;
};

#endif // ORG_KDRV_RAMDISK_DRIVER_HPP
