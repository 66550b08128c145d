/* kdrv stand-in for Kernel.framework's <stddef.h>, for kernel-profile
 * compiles with -nostdinc (no compiler resource directory). Built from the
 * compiler's predefined macros. Written for kdrv; not Apple's file. */
#ifndef KDRV_SDK_STDDEF_H
#define KDRV_SDK_STDDEF_H
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __SIZE_TYPE__ size_t;
#ifndef __cplusplus
typedef __WCHAR_TYPE__ wchar_t;
#endif
typedef struct
{
    long long __kdrv_sdk_ll __attribute__((__aligned__(__alignof__(long long))));
    long double __kdrv_sdk_ld __attribute__((__aligned__(__alignof__(long double))));
} max_align_t;
#undef NULL
#ifdef __cplusplus
#define NULL __null
#else
#define NULL ((void*)0)
#endif
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
