// The fibers of the SIMT emulation (simt_fiber.h): stacks, the start of a fiber, the switch.

#include "simt_fiber.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <sys/mman.h>

namespace bfsimt::fiber {

namespace {

#if defined(__SANITIZE_ADDRESS__)
#define BF_SIMT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BF_SIMT_ASAN 1
#endif
#endif
#ifdef BF_SIMT_ASAN
constexpr std::size_t kStackBytes = 512 * 1024; // AddressSanitizer's redzones
#else
constexpr std::size_t kStackBytes = 128 * 1024;
#endif
constexpr std::size_t kGuardBytes = 4096;

} // namespace

#ifdef BF_SIMT_ASM_SWITCH
extern "C" void bfsimt_switch(void** saveStack, void* loadStack);
asm(R"(
    .text
    .p2align 4
    .globl bfsimt_switch
    .hidden bfsimt_switch
    .type bfsimt_switch, @function
bfsimt_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size bfsimt_switch, .-bfsimt_switch
    .section .note.GNU-stack,"",@progbits
    .text
)");
#endif

std::size_t stackBytes() { return kStackBytes; }

void* mapStack()
{
    void* m = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        std::fprintf(stderr, "simt: cannot map a fiber stack\n");
        std::abort();
    }
    mprotect(m, kGuardBytes, PROT_NONE);
    return static_cast<char*>(m) + kGuardBytes;
}

void unmapStack(void* stack) { munmap(static_cast<char*>(stack) - kGuardBytes, kStackBytes + kGuardBytes); }

void prepare(Context& context, void* stack, void (*entry)())
{
#ifdef BF_SIMT_ASM_SWITCH
    // The stack bfsimt_switch pops, from sp up: the control words (MXCSR 0x1F80 and the x87
    // control word 0x037F, the defaults), six registers (zero), `entry` as the return address,
    // and a slot standing for its caller's return address. sp ≡ 8 (mod 16), so after the `ret`
    // `entry` starts with rsp ≡ 8 (mod 16), as a call would leave it (the ABI's rule).
    auto* top = reinterpret_cast<uintptr_t*>((reinterpret_cast<uintptr_t>(stack) + kStackBytes) & ~uintptr_t(15));
    uintptr_t* sp = top - 9;
    sp[0] = uintptr_t(0x1F80) | uintptr_t(0x037F) << 32;
    for (int i = 1; i <= 6; ++i)
        sp[i] = 0;
    sp[7] = reinterpret_cast<uintptr_t>(entry);
    sp[8] = 0;
    context.sp = sp;
#else
    getcontext(&context);
    context.uc_stack.ss_sp = stack;
    context.uc_stack.ss_size = kStackBytes;
    context.uc_link = nullptr;
    makecontext(&context, entry, 0);
#endif
}

void switchTo(Context& save, Context& load)
{
#ifdef BF_SIMT_ASM_SWITCH
    bfsimt_switch(&save.sp, load.sp);
#else
    swapcontext(&save, &load);
#endif
}

} // namespace bfsimt::fiber
