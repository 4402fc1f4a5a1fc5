// The part of <stdlib.h> the plugin and the generated bindings use (see libc.c).
#ifndef C_ECHO_STDLIB_H
#define C_ECHO_STDLIB_H
#include <stddef.h>

void *malloc(size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
_Noreturn void abort(void);

#endif
