/* kdrv stand-in for <libkern/c++/OSMetaClass.h>: the root of libkern's
 * run-time typing and the structor macros a kext's classes use, with the
 * public names and signatures, for compiling kexts on a machine without
 * Kernel.framework. Written for kdrv; not Apple's file.
 *
 * Compile only. As in Kernel.framework, OSDefineMetaClassAndStructors
 * defines the class's OSMetaClass object `gMetaClass`, a global whose
 * constructor registers the class when the kext loads and whose destructor
 * unregisters it: every translation unit that defines an I/O Kit class
 * therefore has a static constructor and destructor (__mod_init_func and
 * __mod_term_func). kdrv's own headers define no such class. */
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
    /* Frees the object when the count drops below freeWhen. */
    virtual void release(int freeWhen) const = 0;

  protected:
    OSMetaClassBase();
    virtual ~OSMetaClassBase();
};

/* One per libkern class: its name, superclass and size, registered with the
 * kernel's class dictionary by the constructor. Its reference count calls
 * are those of a statically allocated object. */
class OSMetaClass : public OSMetaClassBase
{
  public:
    /* A new instance of the class (NULL for an abstract class). */
    virtual OSObject* alloc() const = 0;

    const OSMetaClass* getMetaClass() const override;
    int getRetainCount() const override;
    void retain() const override;
    void release() const override;
    void release(int freeWhen) const override;

  protected:
    OSMetaClass(const char* inClassName, const OSMetaClass* inSuperClass, unsigned int inClassSize);
    ~OSMetaClass() override;

    static void operator delete(void* mem, size_t size);
};

/* The class's OSMetaClass, and a checked downcast through it. */
#define OSTypeID(type) (type::metaClass)
#define OSDynamicCast(type, inst)                                                                  \
    (static_cast<type*>(OSMetaClassBase::safeMetaCast((inst), OSTypeID(type))))

/* Members every libkern class declares: its superclass's and its own
 * metaclass, the nested MetaClass type and its one object gMetaClass, the
 * constructor that passes the metaclass up the hierarchy, and a protected
 * destructor (objects die by release(), never by delete). */
#define KDRV_SDK_OS_COMMON_STRUCTORS_(className)                                                   \
  private:                                                                                         \
    static const OSMetaClass* const superClass;                                                    \
                                                                                                   \
  public:                                                                                          \
    static const OSMetaClass* const metaClass;                                                     \
    static class MetaClass : public OSMetaClass                                                    \
    {                                                                                              \
      public:                                                                                      \
        MetaClass();                                                                               \
        OSObject* alloc() const override;                                                          \
    } gMetaClass;                                                                                  \
    friend class className::MetaClass;                                                             \
    const OSMetaClass* getMetaClass() const override;                                              \
                                                                                                   \
  protected:                                                                                       \
    explicit className(const OSMetaClass* meta);                                                   \
    ~className() override

/* A concrete class: first thing in the class body; leaves `protected:`. */
#define OSDeclareDefaultStructors(className)                                                       \
    KDRV_SDK_OS_COMMON_STRUCTORS_(className);                                                      \
                                                                                                   \
  public:                                                                                          \
    className();                                                                                   \
    static void* operator new(size_t size);                                                        \
                                                                                                   \
  protected:                                                                                       \
    static void operator delete(void* mem, size_t size)

/* An abstract class: its default constructor is private. */
#define OSDeclareAbstractStructors(className)                                                      \
    KDRV_SDK_OS_COMMON_STRUCTORS_(className);                                                      \
                                                                                                   \
  private:                                                                                         \
    className();                                                                                   \
                                                                                                   \
  protected:                                                                                       \
    static_assert(true, "")

/* In the implementation file, before the class's member functions: the
 * metaclass object (a global with a constructor and a destructor, as in
 * Kernel.framework), its constructor and alloc(), and the class's
 * structors. */
#define OSDefineMetaClassAndStructors(className, superclassName)                                   \
    className::MetaClass className::gMetaClass;                                                    \
    const OSMetaClass* const className::metaClass = &className::gMetaClass;                        \
    const OSMetaClass* const className::superClass = &superclassName::gMetaClass;                  \
    className::MetaClass::MetaClass()                                                              \
        : OSMetaClass(#className, className::superClass, sizeof(className))                        \
    {                                                                                              \
    }                                                                                              \
    OSObject* className::MetaClass::alloc() const { return new className; }                        \
    const OSMetaClass* className::getMetaClass() const { return &gMetaClass; }                     \
    className::className(const OSMetaClass* meta) : superclassName(meta) {}                        \
    className::className() : superclassName(&gMetaClass) {}                                        \
    className::~className() {}                                                                     \
    void* className::operator new(size_t size) { return OSObject::operator new(size); }            \
    void className::operator delete(void* mem, size_t size)                                        \
    {                                                                                              \
        OSObject::operator delete(mem, size);                                                      \
    }                                                                                              \
    static_assert(true, "")

#endif
