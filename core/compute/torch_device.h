#pragma once

// The `device` parameter of the jobs that run on LibTorch (viral predict and
// validate, age HENAW training and prediction), and how it is resolved
// against what the LibTorch of the build can use (Debian's is CPU-only; a
// CUDA LibTorch is chosen with -DTorch_DIR=…, docs/gpu.md):
//   auto    — a CUDA device where LibTorch sees one (the job's leased GPU,
//             else device 0), else the CPU; the run's provenance says which
//   cpu     — the CPU
//   cuda    — a CUDA device (the leased one, else 0); an error where there is none
//   cuda:N  — CUDA device N; an error naming what LibTorch sees where it cannot
// Torch-free: the LibTorch translation units pass in what LibTorch reports.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

struct TorchDevice {
    enum class Kind { Auto, Cpu, Cuda };
    Kind kind = Kind::Cpu;
    int index = -1; // Cuda: the device number; -1: the job's leased GPU, else 0

    bool isCuda() const { return kind == Kind::Cuda; }
    // "auto", "cpu", "cuda", "cuda:1" (the parameter's spelling, also in provenance).
    QString label() const;
};

// The parameter's text (case and surrounding spaces ignored; empty is auto); anything
// else is an error saying what is accepted.
Expected<TorchDevice> parseTorchDevice(const QString& text);

// What the LibTorch in the process can use, as its translation units report it.
struct TorchCudaSupport {
    bool built = false; // LibTorch built with CUDA (at::hasCUDA())
    int devices = 0;    // CUDA devices it sees
    QString version;    // LibTorch's version, for messages
};

// `requested` made concrete (Cpu, or Cuda with an index): auto becomes CUDA where
// `cuda.devices` > 0 (device `leasedCudaIndex` when the job holds a GPU lease, else 0) and
// the CPU otherwise; cuda[:N] that LibTorch cannot use is an error naming the device asked
// for and the reason (no CUDA in this LibTorch, no device visible, no such device number).
Expected<TorchDevice> resolveTorchDevice(const TorchDevice& requested, const TorchCudaSupport& cuda, int leasedCudaIndex = -1);

// Checked when a run is asked for, before anything is recorded: a CUDA device asked of a LibTorch
// built without CUDA can never work with this program (the error, of kind NotFound, is
// resolveTorchDevice's). What depends on the machine (no device visible now) is left to the run,
// which may start elsewhere (a cluster node) or later.
Status checkTorchDeviceBuilt(const TorchDevice& requested, const TorchCudaSupport& cuda);

} // namespace bioforge::core
