#pragma once

// Include instead of <ATen/Parallel.h> in a translation unit that runs at::parallel_for: LibTorch's
// loop is a header template whose OpenMP pragmas compile into the including file, so without
// -fopenmp its loops there run on one thread (plugins/viral/CMakeLists.txt gives it to the files
// that include this). Clang builds go without on purpose (its libomp beside LibTorch's libgomp),
// and so may a build that only checks results (tests/gpu: BIOFORGE_SERIAL_TORCH_LOOPS).

#include <ATen/Parallel.h>

#if defined(__GNUC__) && !defined(__clang__) && !defined(_OPENMP) && !defined(BIOFORGE_SERIAL_TORCH_LOOPS)
#error "compile with -fopenmp: LibTorch's parallel loops in this file would run on one thread"
#endif
