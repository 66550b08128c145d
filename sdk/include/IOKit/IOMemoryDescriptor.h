/* kdrv stand-in for <IOKit/IOMemoryDescriptor.h>: only the length accessor
 * kdrv reads. Declared abstract here so user-space tests can supply a
 * descriptor; the call site is the same as against the real class. */
#ifndef KDRV_SDK_IOKIT_IOMEMORYDESCRIPTOR_H
#define KDRV_SDK_IOKIT_IOMEMORYDESCRIPTOR_H
#include <IOKit/IOTypes.h>
class IOMemoryDescriptor
{
  public:
    virtual IOByteCount getLength() const = 0;

  protected:
    virtual ~IOMemoryDescriptor() {}
};
#endif
