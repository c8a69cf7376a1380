#pragma once

// The fuzz targets' assertion: an invariant that does not hold is a finding, reported with what
// was expected and then turned into a crash so that libFuzzer keeps the input.

#include <cstdio>
#include <cstdlib>

#define BERTH_FUZZ_CHECK(condition)                                                                          \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);           \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)
