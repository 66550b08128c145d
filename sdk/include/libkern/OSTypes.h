/* kdrv stand-in for <libkern/OSTypes.h>: the fixed-width I/O Kit types. */
#ifndef KDRV_SDK_LIBKERN_OSTYPES_H
#define KDRV_SDK_LIBKERN_OSTYPES_H
#include <stdint.h>
typedef unsigned int UInt;
typedef signed int SInt;
typedef unsigned char UInt8;
typedef unsigned short UInt16;
typedef unsigned int UInt32;
typedef unsigned long long UInt64;
typedef signed char SInt8;
typedef signed short SInt16;
typedef signed int SInt32;
typedef signed long long SInt64;
/* As in Kernel.framework: bool in C++ on LP64, _Bool in C99 and later. */
#if defined(__LP64__) && defined(__cplusplus)
typedef bool Boolean;
#elif defined(__LP64__) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
typedef _Bool Boolean;
#else
typedef unsigned char Boolean;
#endif
#endif
