/* kdrv stand-in for <libkern/c++/OSMetaClass.h>: the root of libkern's
 * run-time typing and the structor macros a kext's classes use, with the
 * public names and signatures, for compiling kexts on a machine without
 * Kernel.framework. Written for kdrv; not Apple's file.
 *
 * Compile only. The real OSDefineMetaClassAndStructors also defines the
 * class's OSMetaClass object, a global whose constructor registers the class
 * when the kext loads; this one leaves `metaClass` declared but undefined,
 * so an object built against it compiles and cannot link. */
#ifndef KDRV_SDK_LIBKERN_CXX_OSMETACLASS_H
#define KDRV_SDK_LIBKERN_CXX_OSMETACLASS_H
#include <stddef.h>
#include <libkern/OSTypes.h>

class OSMetaClass;
class OSObject;

class OSMetaClassBase
{
public:
    /* The object as an instance of the class toMeta describes, or NULL. */
    static OSMetaClassBase* safeMetaCast(const OSMetaClassBase* anObject,
                                         const OSMetaClass* toMeta);

    virtual const OSMetaClass* getMetaClass() const = 0;
    virtual int getRetainCount() const = 0;
    virtual void retain() const = 0;
    virtual void release() const = 0;

protected:
    OSMetaClassBase();
    virtual ~OSMetaClassBase();
};

/* The class's OSMetaClass, and a checked downcast through it. */
#define OSTypeID(type) (type::metaClass)
#define OSDynamicCast(type, inst) \
    (static_cast<type*>(OSMetaClassBase::safeMetaCast((inst), OSTypeID(type))))

/* Members every libkern class declares: its metaclass, the constructor that
 * passes it up the hierarchy, and a protected destructor (objects die by
 * release(), never by delete). */
#define KDRV_SDK_OS_COMMON_STRUCTORS_(className)    \
public:                                             \
    static const OSMetaClass* const metaClass;      \
    const OSMetaClass* getMetaClass() const override; \
                                                    \
protected:                                          \
    explicit className(const OSMetaClass* meta);    \
    ~className() override

/* A concrete class: first thing in the class body; leaves `protected:`. */
#define OSDeclareDefaultStructors(className)              \
    KDRV_SDK_OS_COMMON_STRUCTORS_(className);             \
                                                          \
public:                                                   \
    className();                                          \
    static void* operator new(size_t size);               \
                                                          \
protected:                                                \
    static void operator delete(void* mem, size_t size)

/* An abstract class: its default constructor is private. */
#define OSDeclareAbstractStructors(className) \
    KDRV_SDK_OS_COMMON_STRUCTORS_(className);  \
                                               \
private:                                       \
    className();                               \
                                               \
protected:                                     \
    static_assert(true, "")

/* In the implementation file, before the class's member functions. */
#define OSDefineMetaClassAndStructors(className, superclassName)                           \
    const OSMetaClass* className::getMetaClass() const { return metaClass; }              \
    className::className(const OSMetaClass* meta) : superclassName(meta) {}               \
    className::className() : superclassName(metaClass) {}                                 \
    className::~className() {}                                                            \
    void* className::operator new(size_t size) { return OSObject::operator new(size); }   \
    void className::operator delete(void* mem, size_t size)                               \
    {                                                                                      \
        OSObject::operator delete(mem, size);                                              \
    }                                                                                      \
    static_assert(true, "")

#endif
