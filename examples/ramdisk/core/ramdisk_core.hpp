// SPDX-License-Identifier: MIT
//
// ramdisk: the core of a RAM-disk block device, after the book's Chapter 14
// RAM disk, built from kdrv's storage blocks end to end:
//
//   formatGpt()        writes a protective MBR and primary/backup GPTs into
//                      an image (CRC-32, mixed-endian GUIDs: partition.hpp)
//   Disk::scan()       reads the GPT back from the disk's own image: the
//                      primary header, else the backup; both checked
//                      against each other when both are good
//   Disk::submit()     doAsyncReadWrite: direction, range and byte checks
//                      (block_range.hpp), then queued for the "hardware";
//                      the completion record (completion.hpp) guarantees
//                      the callback runs exactly once on success and never
//                      when submission fails
//   Disk::serviceOne() the hardware: copies one request and completes it
//   Disk::unmap()      doUnmap: validated extents, zeroed blocks
//   Disk::terminate()  detach: new I/O gets NotAttached, queued I/O is
//                      completed with Aborted and a count of 0
//   PartitionIo        I/O relative to one partition, chained to the disk
//                      (CompletionChain): the storage-stack convention, in
//                      which every outcome, even "no memory", arrives
//                      through the caller's completion, with count 0 on error
//
// Kernel-visible code: Embedded C++, no allocation (the image and the
// requests are the caller's), a SpinLock around the queue. The same header
// is compiled into the kext skeleton (../kext) and the tests
// (tests/ramdisk_example_test.cpp), over both backends.
#ifndef KDRV_EXAMPLES_RAMDISK_CORE_HPP
#define KDRV_EXAMPLES_RAMDISK_CORE_HPP

#include "kdrv/block_range.hpp"
#include "kdrv/completion.hpp"
#include "kdrv/partition.hpp"
#include "kdrv/spinlock.hpp"
#include "kdrv/status.hpp"

namespace ramdisk
{
using kdrv::Status;

enum : uint32_t
{
    kMaxPartitions = 8,
    kQueueDepth = 8,
    kGptEntries = 128,
    kGptEntrySize = 128,
    kChainSlots = 4,
};

/// One block request, owned by the submitter until submit() succeeds. It
/// must not live on a stack frame that ends before the completion runs.
struct Request
{
    constexpr Request()
        : done(), direction(0), block(0), nblks(0), buffer(nullptr), bufferBytes(0), byteOffset(0),
          byteLength(0)
    {
    }
    KDRV_NONCOPYABLE(Request);

    kdrv::CompletionRecord done;
    uint32_t direction; ///< kdrv::kBlockDirectionIn (read) or Out (write)
    uint64_t block;
    uint64_t nblks;
    uint8_t* buffer; ///< the memory side of the transfer
    uint64_t bufferBytes;
    uint64_t byteOffset; ///< filled by submit(): where in the image
    uint64_t byteLength;
};

/// A partition to create with formatGpt().
struct PartitionSpec
{
    kdrv::Guid type;
    kdrv::Guid unique;
    uint64_t firstBlock;
    uint64_t blockCount;
    const char* name; ///< ASCII, at most 36 characters are stored
};

/// Writes a protective MBR, the primary GPT (LBA 1, entries from LBA 2) and
/// the backup GPT (last LBA, entries before it) for `count` partitions into
/// `image` (imageBytes, blocks of blockSize bytes). Only the table blocks
/// are written. BadArgument if a partition leaves the usable range, the
/// image is too small or the arguments are null.
inline Status formatGpt(uint8_t* image, uint64_t imageBytes, uint32_t blockSize,
                        const kdrv::Guid& diskGuid, const PartitionSpec* parts, uint32_t count)
{
    if (image == nullptr || blockSize < 512 || (parts == nullptr && count != 0) ||
        count > kGptEntries)
        return Status::BadArgument;
    const uint64_t blocks = imageBytes / blockSize;
    const uint64_t arrayBytes = uint64_t(kGptEntries) * kGptEntrySize;
    const uint64_t arrayBlocks = (arrayBytes + blockSize - 1) / blockSize;
    if (blocks < 4 + 2 * arrayBlocks)
        return Status::BadArgument;
    const uint64_t firstUsable = 2 + arrayBlocks;
    const uint64_t backupHeader = blocks - 1;
    const uint64_t backupArray = backupHeader - arrayBlocks;
    const uint64_t lastUsable = backupArray - 1;
    const kdrv::BlockDevice usable =
        kdrv::makeBlockDevice(blockSize, lastUsable + 1); // blocks [0, lastUsable]
    for (uint32_t i = 0; i < count; ++i)
    {
        if (parts[i].blockCount == 0 || parts[i].firstBlock < firstUsable ||
            !kdrv::blockRangeOk(parts[i].firstBlock, parts[i].blockCount, usable.blockCount))
            return Status::BadArgument;
    }
    // MBR, primary header block and array; backup array and header.
    kdrv::zeroBytes(image, static_cast<size_t>(firstUsable * blockSize));
    kdrv::zeroBytes(image + backupArray * blockSize,
                    static_cast<size_t>((arrayBlocks + 1) * blockSize));
    uint8_t* mbr = image;
    mbr[446 + 4] = 0xEE;
    kdrv::storeLE32(mbr + 446 + 8, 1);
    kdrv::storeLE32(mbr + 446 + 12,
                    blocks - 1 > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(blocks - 1));
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    uint8_t* array = image + 2 * blockSize;
    for (uint32_t i = 0; i < count; ++i)
    {
        uint8_t* e = array + size_t(i) * kGptEntrySize;
        kdrv::guidToDisk(parts[i].type, e);
        kdrv::guidToDisk(parts[i].unique, e + 16);
        kdrv::storeLE64(e + 32, parts[i].firstBlock);
        kdrv::storeLE64(e + 40, parts[i].firstBlock + parts[i].blockCount - 1);
        for (uint32_t c = 0; parts[i].name != nullptr && parts[i].name[c] != '\0' && c < 36; ++c)
            kdrv::storeLE16(e + 56 + 2 * c, static_cast<uint8_t>(parts[i].name[c]));
    }
    kdrv::copyBytes(image + backupArray * blockSize, array, static_cast<size_t>(arrayBytes));
    const uint32_t arrayCrc = kdrv::crc32(0, array, static_cast<size_t>(arrayBytes));
    for (int backup = 0; backup < 2; ++backup)
    {
        const uint64_t my = backup ? backupHeader : 1;
        uint8_t* h = image + my * blockSize;
        kdrv::copyBytes(h, "EFI PART", 8);
        kdrv::storeLE32(h + 8, 0x00010000u);
        kdrv::storeLE32(h + 12, kdrv::kGptHeaderMinSize);
        kdrv::storeLE32(h + 16, 0);
        kdrv::storeLE64(h + 24, my);
        kdrv::storeLE64(h + 32, backup ? 1 : backupHeader);
        kdrv::storeLE64(h + 40, firstUsable);
        kdrv::storeLE64(h + 48, lastUsable);
        kdrv::guidToDisk(diskGuid, h + 56);
        kdrv::storeLE64(h + 72, backup ? backupArray : 2);
        kdrv::storeLE32(h + 80, kGptEntries);
        kdrv::storeLE32(h + 84, kGptEntrySize);
        kdrv::storeLE32(h + 88, arrayCrc);
        kdrv::storeLE32(h + 16, kdrv::crc32(0, h, kdrv::kGptHeaderMinSize));
    }
    return Status::Success;
}

class Disk
{
  public:
    constexpr Disk()
        : lock_(), image_(nullptr), device_{0, 0, kdrv::ZeroLength::Reject, false, 64},
          queue_{nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}, head_(0),
          count_(0), table_{}, partitions_(0), usedBackup_(false), completed_(0)
    {
    }
    KDRV_NONCOPYABLE(Disk);

    /// The disk is the image: imageBytes / blockSize blocks. Thread context
    /// (the kernel allocates the lock here); destroy() undoes it.
    KDRV_NODISCARD Status init(uint8_t* image, uint64_t imageBytes, uint32_t blockSize)
    {
        if (image == nullptr || blockSize == 0 || imageBytes / blockSize == 0)
            return Status::BadArgument;
        const Status s = lock_.init();
        if (s != Status::Success)
            return s;
        image_ = image;
        device_ = kdrv::makeBlockDevice(blockSize, imageBytes / blockSize);
        device_.maxUnmapExtents = 64;
        head_ = 0;
        count_ = 0;
        partitions_ = 0;
        usedBackup_ = false;
        completed_ = 0;
        return Status::Success;
    }

    /// Undoes init() (the kernel lock); nothing may be queued.
    void destroy() { lock_.destroy(); }

    /// Reads the GPT from the image. The primary header first; if it is bad,
    /// the backup at the last block (usedBackup()). With both good they must
    /// agree. NotFound: no GPT at all.
    KDRV_NODISCARD Status scan()
    {
        partitions_ = 0;
        usedBackup_ = false;
        const uint64_t bs = device_.blockSize;
        kdrv::GptHeader primary;
        kdrv::GptHeader backup;
        const Status p = kdrv::gptParseHeader(image_ + bs, static_cast<size_t>(bs), 1, device_,
                                              kGptEntries, &primary);
        const uint64_t backupLba =
            p == Status::Success ? primary.alternateLba : device_.blockCount - 1;
        const Status b = kdrv::gptParseHeader(image_ + backupLba * bs, static_cast<size_t>(bs),
                                              backupLba, device_, kGptEntries, &backup);
        const kdrv::GptHeader* use = &primary;
        if (p != Status::Success)
        {
            if (b != Status::Success)
                return p == Status::NotFound && b == Status::NotFound ? Status::NotFound
                                                                      : Status::BadMedia;
            use = &backup;
            usedBackup_ = true;
        }
        else if (b == Status::Success && kdrv::gptCheckBackup(primary, backup) != Status::Success)
        {
            return Status::BadMedia;
        }
        // entryLba is on the disk (checked), so its byte offset fits the image.
        const uint64_t at = use->entryLba * bs;
        kdrv::PartitionScan result;
        Status s = kdrv::gptParseEntries(*use, image_ + at,
                                         static_cast<size_t>(device_.blockCount * bs - at), device_,
                                         table_, kMaxPartitions, &result);
        if (s == Status::BadMedia && !usedBackup_ && b == Status::Success)
        {
            // The primary array is corrupt: fall back to the backup's copy.
            use = &backup;
            usedBackup_ = true;
            const uint64_t bat = use->entryLba * bs;
            s = kdrv::gptParseEntries(*use, image_ + bat,
                                      static_cast<size_t>(device_.blockCount * bs - bat), device_,
                                      table_, kMaxPartitions, &result);
        }
        if (s != Status::Success && s != Status::NoSpace)
            return s;
        if (result.overlaps != 0)
            return Status::BadMedia; // this driver's policy: overlapping partitions are refused
        partitions_ = result.stored;
        return s;
    }

    KDRV_NODISCARD uint32_t partitionCount() const { return partitions_; }
    KDRV_NODISCARD const kdrv::Partition* partition(uint32_t i) const
    {
        return i < partitions_ ? &table_[i] : nullptr;
    }
    KDRV_NODISCARD bool usedBackup() const { return usedBackup_; }
    KDRV_NODISCARD const kdrv::BlockDevice& device() const { return device_; }
    KDRV_NODISCARD Status maxValidBlock(uint64_t* out) const { return device_.maxValidBlock(out); }

    /// doAsyncReadWrite. Success: the request is queued and its completion
    /// will run exactly once, with the byte count. Any error: the
    /// completion never runs and the caller still owns the request.
    KDRV_NODISCARD Status submit(Request* r, const kdrv::Completion& c)
    {
        if (r == nullptr)
            return Status::BadArgument;
        Status s = r->done.arm(c);
        if (s != Status::Success)
            return s;
        kdrv::ByteExtent bytes;
        {
            kdrv::SpinLockGuard guard(lock_);
            s = device_.checkIo(r->direction, r->block, r->nblks, r->bufferBytes, &bytes);
            if (s == Status::Success && r->buffer == nullptr && bytes.length != 0)
                s = Status::BadArgument;
            if (s == Status::Success && count_ == kQueueDepth)
                s = Status::NoResources;
            if (s == Status::Success)
            {
                r->byteOffset = bytes.offset;
                r->byteLength = bytes.length;
                queue_[(head_ + count_) % kQueueDepth] = r;
                ++count_;
            }
        }
        return r->done.submitted(s);
    }

    /// The hardware: moves the bytes of the oldest request and completes
    /// it. False when nothing is queued.
    bool serviceOne()
    {
        Request* r;
        {
            kdrv::SpinLockGuard guard(lock_);
            if (count_ == 0)
                return false;
            r = queue_[head_];
            head_ = (head_ + 1) % kQueueDepth;
            --count_;
        }
        const size_t n = static_cast<size_t>(r->byteLength);
        if (r->direction == kdrv::kBlockDirectionIn)
            kdrv::copyBytes(r->buffer, image_ + r->byteOffset, n);
        else
            kdrv::copyBytes(image_ + r->byteOffset, r->buffer, n);
        completed_ += 1;
        (void)r->done.complete(Status::Success, r->byteLength);
        return true;
    }

    /// doUnmap: every extent validated first (sorted and disjoint, as this
    /// driver requires), then the blocks are zeroed. *bad names the first
    /// offending extent on failure.
    KDRV_NODISCARD Status unmap(const kdrv::BlockExtent* extents, uint32_t count, uint32_t* bad)
    {
        kdrv::SpinLockGuard guard(lock_);
        const Status s = device_.checkUnmap(extents, count, kdrv::kUnmapSorted, bad);
        if (s != Status::Success)
            return s;
        for (uint32_t i = 0; i < count; ++i)
        {
            // In range (checked), so neither product can overflow the image.
            kdrv::zeroBytes(image_ + extents[i].blockStart * device_.blockSize,
                            static_cast<size_t>(extents[i].blockCount * device_.blockSize));
        }
        return Status::Success;
    }

    /// Detach: refuse new I/O and complete what is queued with Aborted and
    /// a count of 0.
    void terminate()
    {
        Request* aborted[kQueueDepth];
        uint32_t n = 0;
        {
            kdrv::SpinLockGuard guard(lock_);
            device_.attached = false;
            while (count_ != 0)
            {
                aborted[n++] = queue_[head_];
                head_ = (head_ + 1) % kQueueDepth;
                --count_;
            }
        }
        for (uint32_t i = 0; i < n; ++i)
            (void)aborted[i]->done.complete(Status::Aborted, 0);
    }

    KDRV_NODISCARD uint32_t pending()
    {
        kdrv::SpinLockGuard guard(lock_);
        return count_;
    }
    KDRV_NODISCARD uint64_t completed() const { return completed_; }

  private:
    kdrv::SpinLock lock_;
    uint8_t* image_;
    kdrv::BlockDevice device_;
    Request* queue_[kQueueDepth];
    uint32_t head_;
    uint32_t count_;
    kdrv::Partition table_[kMaxPartitions];
    uint32_t partitions_;
    bool usedBackup_;
    uint64_t completed_;
};

/// I/O relative to one partition, as the media object a partition scheme
/// publishes: block numbers are checked against the partition, moved by its
/// start and submitted to the disk through a chained completion. Every
/// outcome arrives through the caller's completion, exactly once, with a
/// count of 0 on error (the storage-stack convention); with all chain slots
/// busy, that is NoMemory at once. One thread submits (the storage stack's
/// caller); completions may run on any thread.
class PartitionIo
{
  public:
    constexpr PartitionIo()
        : disk_(nullptr), start_(0), range_{0, 0, kdrv::ZeroLength::Reject, false, 0}, slots_()
    {
    }
    KDRV_NONCOPYABLE(PartitionIo);

    KDRV_NODISCARD Status init(Disk* disk, uint32_t index)
    {
        const kdrv::Partition* p = disk == nullptr ? nullptr : disk->partition(index);
        if (p == nullptr)
            return Status::BadArgument;
        disk_ = disk;
        start_ = p->startBlock;
        range_ = kdrv::makeBlockDevice(disk->device().blockSize, p->blockCount);
        return Status::Success;
    }

    /// read()/write() of the storage stack: nblks blocks at `block` of the
    /// partition, to or from buffer.
    void submit(uint32_t direction, uint64_t block, uint64_t nblks, uint8_t* buffer,
                uint64_t bufferBytes, const kdrv::Completion& caller)
    {
        kdrv::ByteExtent bytes;
        const Status s = range_.checkIo(direction, block, nblks, bufferBytes, &bytes);
        if (s != Status::Success || disk_ == nullptr)
        {
            kdrv::invokeCompletion(caller, s != Status::Success ? s : Status::NotReady, 0);
            return;
        }
        Slot* slot = claimSlot();
        kdrv::Completion child;
        if (kdrv::CompletionChain::begin(slot != nullptr ? &slot->link : nullptr, caller, nullptr,
                                         nullptr, &child) != Status::Success)
            return; // the caller has been completed (NoMemory)
        Request& r = slot->request;
        r.direction = direction;
        r.block = start_ + block; // block < partition size, start + size <= disk: no wrap
        r.nblks = nblks;
        r.buffer = buffer;
        r.bufferBytes = bufferBytes;
        (void)slot->link.childSubmitted(disk_->submit(&r, child));
    }

  private:
    struct Slot
    {
        constexpr Slot() : link(), request(), claimed() {}
        kdrv::CompletionChain link;
        Request request;
        kdrv::AtomicFlag claimed;
    };

    /// A slot whose previous request has completed, or null. The claim is
    /// dropped once the chain is no longer in flight (checked at the next
    /// claim): no callback from here is needed for recycling.
    Slot* claimSlot()
    {
        for (uint32_t i = 0; i < kChainSlots; ++i)
        {
            Slot& s = slots_[i];
            if (s.claimed.test(kdrv::MemoryOrder::Acquire) && !s.link.inFlight() &&
                !s.request.done.isArmed())
                s.claimed.clear(kdrv::MemoryOrder::Release);
            if (!s.claimed.testAndSet(kdrv::MemoryOrder::Acquire))
                return &s;
        }
        return nullptr;
    }

    Disk* disk_;
    uint64_t start_;
    kdrv::BlockDevice range_;
    Slot slots_[kChainSlots];
};
} // namespace ramdisk

#endif // KDRV_EXAMPLES_RAMDISK_CORE_HPP
