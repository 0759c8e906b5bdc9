#pragma once

// Where the encoders (DNABERT-S, ESM-2) run: the CPU, or a CUDA device through
// the LibTorch the build was made with (Debian's is CPU-only; a CUDA LibTorch
// is chosen with -DTorch_DIR=…, docs/gpu.md). The `device` parameter of
// `viral predict` and `viral validate`:
//   auto    — a CUDA device when this LibTorch can use one (the job's leased
//             GPU, else device 0), else the CPU; the run's provenance says which
//   cpu     — the CPU
//   cuda    — a CUDA device (the leased one, else 0); an error where there is none
//   cuda:N  — CUDA device N; an error naming what LibTorch sees where it has none
// On a device the weights, activations and attention stay there; each batch's
// token ids go in and its mean embeddings [B, hidden] come back. The
// classifier (a small MLP) runs on the CPU either way.

#include "util/expected.h"

#include <QString>

namespace bioforge::viral {

struct EncoderDevice {
    enum class Kind { Auto, Cpu, Cuda };
    Kind kind = Kind::Cpu;
    int index = -1;               // Cuda: the device number; -1: the job's leased GPU, else 0
    bool portableKernels = false; // the device-independent path on the CPU too (what a GPU runs; for tests)

    bool isCuda() const { return kind == Kind::Cuda; }
    // "auto", "cpu", "cuda", "cuda:1" (the parameter's spelling, also in provenance).
    QString label() const;
};

// The parameter's text; anything else is an error saying what is accepted.
core::Expected<EncoderDevice> parseEncoderDevice(const QString& text);

} // namespace bioforge::viral
