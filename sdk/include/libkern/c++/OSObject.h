/* kdrv stand-in for <libkern/c++/OSObject.h>: the reference-counted root
 * class of libkern and I/O Kit objects (declarations only, public
 * signatures). Written for kdrv; not Apple's file. */
#ifndef KDRV_SDK_LIBKERN_CXX_OSOBJECT_H
#define KDRV_SDK_LIBKERN_CXX_OSOBJECT_H
#include <libkern/c++/OSMetaClass.h>

class OSObject : public OSMetaClassBase
{
    OSDeclareAbstractStructors(OSObject);

  public:
    int getRetainCount() const override;
    void retain() const override;
    void release() const override;
    void release(int freeWhen) const override;

    static void* operator new(size_t size);

  protected:
    /* Undoes init(); called by the last release(). */
    virtual void free();

    static void operator delete(void* mem, size_t size);
};

#endif
