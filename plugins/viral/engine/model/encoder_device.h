#pragma once

// Where the encoders (DNABERT-S, ESM-2) run: the `device` parameter of
// `viral predict` and `viral validate` (core/compute/torch_device.h: auto,
// cpu, cuda, cuda:N). On a device the weights, activations and attention
// stay there; each batch's token ids go in and its mean embeddings [B,
// hidden] come back. The classifier (a small MLP) runs on the CPU either way.

#include "compute/torch_device.h"

namespace bioforge::viral {

struct EncoderDevice : core::TorchDevice {
    EncoderDevice() = default;
    EncoderDevice(const core::TorchDevice& d) : core::TorchDevice(d) {} // NOLINT: a device is an encoder device
    bool portableKernels = false; // the device-independent path on the CPU too (what a GPU runs; for tests)
    // Tests of the out-of-memory path on any device: a batch of more padded tokens (rows ×
    // longest row) than this fails as the device's out of memory would. -1: no limit.
    int64_t outOfMemoryAboveTokens = -1;
};

// Thrown by an encoder's meanEmbeddings when the device has no memory left for a batch
// (LibTorch's c10::OutOfMemoryError): nothing was returned; a smaller batch may fit.
struct EncoderOutOfMemory {
    QString what;       // model, device, padded tokens and LibTorch's first line
    bool onCpu = false; // the machine's memory, not a GPU's
};

inline core::Expected<EncoderDevice> parseEncoderDevice(const QString& text)
{
    auto d = core::parseTorchDevice(text);
    if (!d)
        return d.error();
    return EncoderDevice(*d);
}

} // namespace bioforge::viral
