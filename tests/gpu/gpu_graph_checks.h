#pragma once

// tst_gpu_backend's checks of captured passes (gpu_graph_checks.cpp): a generated token's pass
// recorded as a graph and replayed gives the bits of the same pass launched kernel by kernel,
// and a capture that fails leaves a pass run kernel by kernel, not an error. Qt Test checks in
// plain functions: called from a test slot, whose test fails with them.

#include "gpu_backend_targets.h"

#include <QList>
#include <QString>

namespace bioforge::llm::graphcheck {

// `modelPath`: a synthesized model (a few layers) on every target with captured passes.
void capturedPassesGiveTheSameLogits(const QList<gpubackendtest::Target>& targets, const QString& modelPath);
// On the SIMT module (the failures are injected there: BF_SIMT_FAIL_CAPTURE, simt_runtime.h):
// skipped where it is left out.
void failedCapturesFallBackToKernelByKernel(const QList<gpubackendtest::Target>& targets, const QString& modelPath);

} // namespace bioforge::llm::graphcheck
