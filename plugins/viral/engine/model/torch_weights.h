#pragma once

// Internal to the LibTorch translation units (include <ATen/ATen.h> before
// any Qt header): a model's safetensors weights as float32 ATen tensors, with
// errors that name the file and the tensor.

#include <ATen/ATen.h>

#include "model/encoder_device.h"
#include "model/host_tensor.h"
#include "util/expected.h"

#include <map>
#include <string>
#include <vector>

namespace bioforge::viral {

class TorchWeights {
public:
    // Every tensor of the file, converted to float32 (F32, F16, BF16 accepted).
    static core::Expected<TorchWeights> load(const QString& safetensorsPath);

    // The tensor `name` with the expected shape; a missing name or another
    // shape is an error naming both.
    core::Expected<at::Tensor> get(const std::string& name, const std::vector<int64_t>& shape) const;
    bool has(const std::string& name) const { return m_tensors.count(name) != 0; }
    // Checkpoints saved with a prefix ("bert.", "esm."): names are looked up under it.
    void setPrefix(const std::string& prefix) { m_prefix = prefix; }
    const QString& path() const { return m_path; }
    // Every tensor copied to `device` (the CPU copies freed); before the parts are read.
    void moveTo(const at::Device& device);

private:
    QString m_path;
    std::string m_prefix;
    std::map<std::string, at::Tensor> m_tensors;
};

HostTensor toHost(const at::Tensor& t);

// The LibTorch device of a resolved EncoderDevice (resolveEncoderDevice): CUDA N or the CPU.
inline at::Device torchDevice(const EncoderDevice& d) { return d.isCuda() ? at::Device(at::kCUDA, at::DeviceIndex(d.index)) : at::Device(at::kCPU); }

} // namespace bioforge::viral
