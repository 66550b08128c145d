// SPDX-License-Identifier: MIT
//
// Functions whose disassembly kernel_gate.py inspects (test kernel/atomic-disasm):
// each must be a single locked instruction on x86_64 (lock xadd / xchg /
// lock cmpxchg), an LSE instruction on ARMv8.1 (ldadd / swp / cas), at worst
// an ldxr/stxr loop on baseline ARMv8, and never a call (no libatomic).
#include "kdrv/atomic.hpp"

extern "C"
{
    // First in the section, where Mach-O objdump shows a section label instead.
    int kdrv_disasm_first(void);
    int kdrv_disasm_first(void) { return 0; }

    uint32_t kdrv_disasm_fetch_add_u32(kdrv::AtomicU32* a, uint32_t v);
    uint64_t kdrv_disasm_fetch_add_u64(kdrv::AtomicU64* a, uint64_t v);
    uint32_t kdrv_disasm_exchange_u32(kdrv::AtomicU32* a, uint32_t v);
    uint64_t kdrv_disasm_exchange_u64(kdrv::AtomicU64* a, uint64_t v);
    bool kdrv_disasm_compare_exchange_u32(kdrv::AtomicU32* a, uint32_t* expected, uint32_t v);
    bool kdrv_disasm_compare_exchange_u64(kdrv::AtomicU64* a, uint64_t* expected, uint64_t v);

    uint32_t kdrv_disasm_fetch_add_u32(kdrv::AtomicU32* a, uint32_t v)
    {
        return a->fetchAdd(v, kdrv::MemoryOrder::AcqRel);
    }

    uint64_t kdrv_disasm_fetch_add_u64(kdrv::AtomicU64* a, uint64_t v)
    {
        return a->fetchAdd(v, kdrv::MemoryOrder::SeqCst);
    }

    uint32_t kdrv_disasm_exchange_u32(kdrv::AtomicU32* a, uint32_t v)
    {
        return a->exchange(v, kdrv::MemoryOrder::AcqRel);
    }

    uint64_t kdrv_disasm_exchange_u64(kdrv::AtomicU64* a, uint64_t v)
    {
        return a->exchange(v, kdrv::MemoryOrder::SeqCst);
    }

    bool kdrv_disasm_compare_exchange_u32(kdrv::AtomicU32* a, uint32_t* expected, uint32_t v)
    {
        return a->compareExchange(expected, v, kdrv::MemoryOrder::AcqRel,
                                  kdrv::MemoryOrder::Acquire);
    }

    bool kdrv_disasm_compare_exchange_u64(kdrv::AtomicU64* a, uint64_t* expected, uint64_t v)
    {
        return a->compareExchange(expected, v, kdrv::MemoryOrder::SeqCst,
                                  kdrv::MemoryOrder::SeqCst);
    }
}
