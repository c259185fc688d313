/*
 * fuzz.h - the libFuzzer entry points every target defines (declared here so the targets compile
 * clean with -Wmissing-prototypes). A target must be deterministic, must not leak, and must return
 * 0.
 */
#ifndef LH_FUZZ_H
#define LH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
