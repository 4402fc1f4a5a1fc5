// Just enough C library for a plugin built with `clang --target=wasm32 -nostdlib`:
// no WASI, no wasi-libc, so the module imports nothing but the plughss:plugin
// interfaces. Compile with -ffreestanding so clang does not turn these loops back
// into calls to themselves.
//
// The allocator is an arena. malloc bumps a pointer (growing linear memory when it
// must); free only counts. When every allocation has been freed, which happens at the
// end of each call (the plugin frees the request, the generated cabi_post_* function
// frees the answer), the arena starts over at __heap_base. A plugin that keeps memory
// across calls needs a real allocator (e.g. wasi-libc's dlmalloc); this one is for
// plugins that hold nothing between requests.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 65536u
#define ALIGN 8u    // the largest alignment of any canonical ABI type
#define HEADER 8u   // each block starts with its size, so realloc can copy it

extern unsigned char __heap_base; // set by wasm-ld: after the data and the stack

static uintptr_t heap_top; // where the next block goes; 0 before the first malloc
static size_t live;        // blocks handed out and not yet freed

static uintptr_t align_up(uintptr_t x) { return (x + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1); }

void *malloc(size_t size) {
    if (heap_top == 0) heap_top = align_up((uintptr_t)&__heap_base);
    uintptr_t block = heap_top + HEADER;
    uintptr_t end = align_up(block + size);
    if (end < block) return NULL;
    uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * PAGE;
    if (end > have) {
        size_t pages = (end - have + PAGE - 1) / PAGE;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return NULL;
    }
    *(size_t *)(block - HEADER) = size;
    heap_top = end;
    live++;
    return (void *)block;
}

void free(void *ptr) {
    if (ptr == NULL) return;
    if (--live == 0) heap_top = align_up((uintptr_t)&__heap_base);
}

void *realloc(void *ptr, size_t size) {
    if (ptr == NULL) return malloc(size);
    size_t old = *(size_t *)((uintptr_t)ptr - HEADER);
    if (size <= old) return ptr;
    void *grown = malloc(size);
    if (grown == NULL) return NULL;
    memcpy(grown, ptr, old);
    free(ptr);
    return grown;
}

// A trap: the host discards this instance and answers the request with 5012.
_Noreturn void abort(void) { __builtin_trap(); }

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x - *y;
    }
    return 0;
}

size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}
