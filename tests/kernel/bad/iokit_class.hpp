// SPDX-License-Identifier: MIT
// Negative test input: a header that defines an I/O Kit class. Its metaclass
// object is registered by a static constructor (__mod_init_func) and
// unregistered by a static destructor (__mod_term_func). A kext's own class
// file may do that; a kdrv header never: kdrv's gate refuses the sections
// even though the object defines a metaclass.
#ifndef KDRV_GATE_BAD_IOKIT_CLASS
#define KDRV_GATE_BAD_IOKIT_CLASS

#include <IOKit/IOService.h>

#include "kdrv/base.hpp"

class kdrv_bad_Service : public IOService
{
    OSDeclareDefaultStructors(kdrv_bad_Service);
};

OSDefineMetaClassAndStructors(kdrv_bad_Service, IOService);
#endif
