#pragma once

// The fibers of the SIMT emulation (simt_runtime.cpp): one stack and one saved context per
// emulated GPU thread, and the switch between a fiber and its worker's scheduler.
//
// On x86-64 (without a sanitizer) the switch is a few instructions that save the callee-saved
// registers and the stack pointer; glibc's swapcontext also saves the signal mask, a system call
// at every switch, which made the emulation spend most of its time in the kernel. Elsewhere, and
// under AddressSanitizer (which knows swapcontext), ucontext. (Where the compiler targets shadow
// stacks, __CET__ & 2, a `ret` into another fiber's stack would fault: ucontext there too.) The
// switch also keeps each fiber's MXCSR and x87 control word, which the ABI makes callee-saved.

#include <cstddef>

#if defined(__x86_64__) && !defined(BF_SIMT_UCONTEXT) && !(defined(__CET__) && (__CET__ & 2))
#define BF_SIMT_ASM_SWITCH 1
#else
#include <ucontext.h>
#endif

namespace bfsimt::fiber {

#ifdef BF_SIMT_ASM_SWITCH
struct Context {
    void* sp = nullptr;
};
#else
using Context = ucontext_t;
#endif

// Bytes of each fiber's stack (more under AddressSanitizer, for its redzones).
std::size_t stackBytes();
// A fiber stack of stackBytes() with a guard page below it (an overflow faults instead of
// corrupting a neighbour); aborts when the memory cannot be mapped. unmapStack frees one.
void* mapStack();
void unmapStack(void* stack);
// Makes `context` start `entry` on `stack` at the next switchTo it; `entry` must never return.
void prepare(Context& context, void* stack, void (*entry)());
// Saves the running context in `save` and continues `load`.
void switchTo(Context& save, Context& load);

} // namespace bfsimt::fiber
