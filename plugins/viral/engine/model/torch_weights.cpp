#include <ATen/ATen.h>

#include "model/torch_weights.h"

#include "io/safetensors_reader.h"

namespace bioforge::viral {

using core::Error;

core::Expected<TorchWeights> TorchWeights::load(const QString& safetensorsPath)
{
    auto reader = core::SafetensorsReader::open(safetensorsPath);
    if (!reader)
        return reader.error();
    TorchWeights w;
    w.m_path = safetensorsPath;
    for (const core::TensorInfo& info : (*reader)->tensors()) {
        at::ScalarType type;
        switch (info.dtype) {
        case core::DType::F32: type = at::kFloat; break;
        case core::DType::F16: type = at::kHalf; break;
        case core::DType::BF16: type = at::kBFloat16; break;
        default: continue; // integer buffers (position ids) are not weights
        }
        // The reader checked offset + size against the file; the blob is copied out of the mapping.
        const std::vector<int64_t> shape(info.shape.begin(), info.shape.end());
        const at::Tensor view = at::from_blob(const_cast<uchar*>((*reader)->data(info)), shape, at::TensorOptions().dtype(type));
        w.m_tensors.emplace(info.name.toStdString(), view.to(at::kFloat).clone());
    }
    return w;
}

core::Expected<at::Tensor> TorchWeights::get(const std::string& name, const std::vector<int64_t>& shape) const
{
    auto it = m_tensors.find(m_prefix + name);
    if (it == m_tensors.end())
        return Error(QStringLiteral("%1: no tensor '%2'").arg(m_path, QString::fromStdString(m_prefix + name)));
    if (it->second.sizes() != at::IntArrayRef(shape)) {
        QStringList want, got;
        for (int64_t d : shape)
            want << QString::number(d);
        for (int64_t d : it->second.sizes())
            got << QString::number(d);
        return Error(QStringLiteral("%1: tensor '%2' has shape [%3], the configuration needs [%4]")
                         .arg(m_path, QString::fromStdString(m_prefix + name), got.join(QStringLiteral(", ")), want.join(QStringLiteral(", "))));
    }
    return it->second;
}

void TorchWeights::moveTo(const at::Device& device)
{
    for (auto& [name, tensor] : m_tensors)
        tensor = tensor.to(device);
}

HostTensor toHost(const at::Tensor& t)
{
    const at::Tensor c = t.to(at::kFloat).contiguous().cpu();
    HostTensor h;
    h.shape.assign(c.sizes().begin(), c.sizes().end());
    h.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return h;
}

} // namespace bioforge::viral
