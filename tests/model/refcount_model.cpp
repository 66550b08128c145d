// SPDX-License-Identifier: MIT
//
// RefCount: release/retain/tryRetain racing the last release. The object's
// fields are checked variables, so "freed exactly once, never early" and
// "the freeing thread sees every holder's writes" are checked by the memory
// model, not by luck. Also saturation at kMax, and the planted bug of a last
// release without its acquire fence.
#include "model_check.hpp"

#include "kdrv/refcount.hpp"

namespace
{
int gWarnings = 0; // warnings in the current execution (fibers share one OS thread)

void countWarning(const char*, const void*) { ++gWarnings; }

struct WarningCounter
{
    kdrv::WarningHandler previous;
    WarningCounter() : previous(kdrv::platform::warningHandlerSlot())
    {
        gWarnings = 0;
        kdrv::platform::warningHandlerSlot() = countWarning;
    }
    ~WarningCounter() { kdrv::platform::warningHandlerSlot() = previous; }
};

// The planted bug: the shipped release() without the acquire fence on the
// last reference, so the freeing thread need not see the other holders'
// writes through their references.
class NoFenceRefCount
{
  public:
    explicit NoFenceRefCount(uint32_t initial) : count_(initial) {}
    bool retainIfNonZero()
    {
        uint32_t old = count_.load(kdrv::MemoryOrder::Relaxed);
        while (old != 0)
            if (count_.compareExchangeWeak(&old, old + 1, kdrv::MemoryOrder::Acquire,
                                           kdrv::MemoryOrder::Relaxed))
                return true;
        return false;
    }
    bool release()
    {
        return count_.fetchSub(1, kdrv::MemoryOrder::Release) == 1; // BUG: no acquire fence
    }

  private:
    kdrv::AtomicU32 count_;
};

// Two holders release while a third thread looks the object up with
// tryRetain (the object's memory stays valid, as under a table lock). Every
// holder writes the object through its reference; the freeing thread reads
// all of it and then "frees" it (alive = 0).
template <typename Count> struct LastRelease : kdrvmodel::Test<LastRelease<Count>, 3>
{
    Count refs{2};
    rl::var<int> field[3];
    rl::var<int> alive;
    rl::atomic<int> frees;

    void setUp()
    {
        for (int i = 0; i < 3; ++i)
            field[i]($) = 0;
        alive($) = 1;
        frees.store(0, rl::mo_relaxed, $);
    }
    void freeObject()
    {
        for (int i = 0; i < 3; ++i)
            (void)field[i]($); // every holder's writes are visible
        MODEL_ASSERT(alive($) == 1);
        alive($) = 0;
        frees.fetch_add(1, rl::mo_relaxed, $);
    }
    void thread(unsigned index)
    {
        if (index == 2)
        {
            if (!lookup())
                return; // already on its way out: never touched again
        }
        MODEL_ASSERT(alive($) == 1); // never early
        field[index]($) = int(index) + 1;
        if (refs.release())
            freeObject();
    }
    bool lookup();
    void after() { MODEL_ASSERT(frees.load(rl::mo_relaxed, $) == 1); }
};
template <> bool LastRelease<kdrv::RefCount>::lookup() { return refs.tryRetain(); }
template <> bool LastRelease<NoFenceRefCount>::lookup() { return refs.retainIfNonZero(); }
typedef LastRelease<kdrv::RefCount> RefCountLastRelease;
typedef LastRelease<NoFenceRefCount> PlantedNoFence;
KDRV_MODEL_CHECK(RefCountLastRelease, "refcount.last_release_vs_tryretain", Full, 0, 0, Clean);
KDRV_MODEL_CHECK(PlantedNoFence, "refcount.planted_release_without_fence", Full, 0, 0, Report);

// retain() by a holder racing the other holder's release(): the count ends
// at 1 and nothing is freed.
struct RetainVsRelease : kdrvmodel::Test<RetainVsRelease, 2>
{
    kdrv::RefCount refs{2};
    void thread(unsigned index)
    {
        if (index == 0)
        {
            refs.retain();
            MODEL_ASSERT(!refs.release());
        }
        else
        {
            MODEL_ASSERT(!refs.release());
        }
    }
    void after() { MODEL_ASSERT(refs.count() == 1); }
};
KDRV_MODEL_CHECK(RetainVsRelease, "refcount.retain_vs_release", Full, 0, 0, Clean);

// tryRetain at kMax racing a release (the count drops to kMax - 1) and a
// retain: tryRetain saturates only by a compare-and-swap from kMax, so it
// either pins the count or takes a plain reference; the net +1 from kMax
// overflows in every order, and exactly one call warns.
struct SaturateAtMax : kdrvmodel::Test<SaturateAtMax, 3>
{
    kdrv::RefCount refs{kdrv::RefCount::kMax};
    WarningCounter* warnings = nullptr;
    bool tried = false;

    void setUp() { warnings = new WarningCounter(); }
    void thread(unsigned index)
    {
        if (index == 0)
            MODEL_ASSERT(!refs.release());
        else if (index == 1)
            tried = refs.tryRetain();
        else
            refs.retain();
    }
    void after()
    {
        MODEL_ASSERT(tried); // the count never reaches 0
        // kMax - 1 + 2 does not fit: whatever the order, the count ends
        // pinned, and exactly one of the racing calls warned.
        MODEL_ASSERT(refs.isSaturated());
        MODEL_ASSERT(gWarnings == 1);
        delete warnings;
    }
};
KDRV_MODEL_CHECK(SaturateAtMax, "refcount.saturation_at_max", Full, 0, 0, Clean);
} // namespace
