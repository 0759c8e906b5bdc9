// LibTorch is included before any Qt header (Qt's `slots` macro breaks it).
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "henaw/henaw_network.h"
#include "henaw/henaw_torch_module.h"

#include <QString>

#include <cmath>
#include <map>
#include <mutex>

namespace bioforge::age {

namespace nn = torch::nn;
using core::Error;

namespace {

using henaw_module::coxLoss;
using henaw_module::Net;
using henaw_module::NetImpl;

torch::Tensor column(const float* data, int64_t rows)
{
    return data ? torch::from_blob(const_cast<float*>(data), {rows}, torch::kFloat).clone() : torch::full({rows}, NAN);
}

torch::Tensor matrix(const float* data, int64_t rows, int64_t cols)
{
    if (cols == 0 || !data)
        return torch::zeros({rows, cols});
    return torch::from_blob(const_cast<float*>(data), {rows, cols}, torch::kFloat).clone();
}

std::vector<float> toVector(const torch::Tensor& t)
{
    const torch::Tensor c = t.detach().to(torch::kFloat).contiguous().cpu();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

} // namespace

struct HenawNetwork::Impl {
    HenawConfig config;
    Net net{nullptr};
    torch::Device device = torch::kCPU;
    std::vector<torch::Tensor> adamM, adamV;
    std::vector<torch::Tensor> adamDenominator; // the update's scratch, one per parameter
    int64_t adamStep = 0;
    int64_t steps = 0;
    int64_t failAt = -1;

    // The inputs and targets of a batch, on the device.
    struct Tensors {
        torch::Tensor x, gx, age, time, event, morbidity; // morbidity undefined when there are none
    };
    Tensors tensors(const HenawBatch& b, int64_t first, int64_t rows) const
    {
        const int64_t n = config.markers.size(), ng = config.interactions.size() + config.ratios.size(), k = config.morbidities.size();
        auto at = [&](const float* p, int64_t width) { return p ? p + first * width : nullptr; };
        Tensors t{matrix(at(b.x, n), rows, n).to(device), matrix(at(b.g, ng), rows, ng).to(device), column(at(b.age, 1), rows).to(device),
                  column(at(b.time, 1), rows).to(device), column(at(b.event, 1), rows).to(device), {}};
        if (k > 0 && b.morbidity)
            t.morbidity = matrix(at(b.morbidity, k), rows, k).to(device);
        return t;
    }

    // The outputs of every row in evaluation mode (no dropout, BatchNorm's running statistics),
    // in chunks of kPredictChunkRows from the first row: rows do not interact in this mode, so
    // the chunks only bound the device memory a large table takes. At least one row (the
    // network's reshapes cannot take none: callers answer an empty batch themselves).
    NetImpl::Out forwardInChunks(const HenawBatch& b, int64_t chunkRows = kPredictChunkRows)
    {
        torch::NoGradGuard noGrad;
        net->eval();
        std::vector<NetImpl::Out> parts;
        for (int64_t start = 0; start < b.rows; start += chunkRows) {
            const Tensors t = tensors(b, start, std::min(chunkRows, b.rows - start));
            parts.push_back(net->forward(t.x, t.gx, t.age));
        }
        if (parts.size() == 1)
            return parts.front();
        NetImpl::Out o;
        for (auto member : {&NetImpl::Out::ageMean, &NetImpl::Out::ageLogVar, &NetImpl::Out::logHazard, &NetImpl::Out::probe, &NetImpl::Out::weights,
                            &NetImpl::Out::morbidity}) {
            std::vector<torch::Tensor> pieces;
            for (const NetImpl::Out& part : parts)
                pieces.push_back(part.*member);
            o.*member = torch::cat(pieces, 0);
        }
        return o;
    }

    // The loss of a batch's outputs against its targets (the Cox term over every row at once).
    std::pair<torch::Tensor, Loss> lossOf(const NetImpl::Out& o, const Tensors& t, int64_t rows)
    {
        const auto options = o.ageMean.options();
        Loss parts;
        parts.rows = rows;
        const torch::Tensor known = torch::isfinite(t.age);
        torch::Tensor ageLoss = torch::zeros({}, options), probeLoss = torch::zeros({}, options);
        if (known.any().item<bool>()) {
            const torch::Tensor y = t.age.masked_select(known), mu = o.ageMean.masked_select(known), lv = o.ageLogVar.masked_select(known);
            ageLoss = (0.5 * (lv + (y - mu).pow(2) * torch::exp(-lv))).mean();
            probeLoss = (o.probe.masked_select(known) - y).pow(2).mean();
        }
        const torch::Tensor cox = coxLoss(o.logHazard, t.time, t.event);
        torch::Tensor morbidityLoss = torch::zeros({}, options);
        if (t.morbidity.defined()) {
            const torch::Tensor present = torch::isfinite(t.morbidity);
            if (present.any().item<bool>())
                morbidityLoss = torch::binary_cross_entropy_with_logits(o.morbidity.masked_select(present), t.morbidity.masked_select(present));
        }
        torch::Tensor penalty = torch::zeros({}, options);
        for (const torch::Tensor& w : net->penalised)
            penalty = penalty + config.elasticAlpha * w.abs().mean() + (1 - config.elasticAlpha) * w.pow(2).mean();
        penalty = penalty * config.elasticLambda;
        const torch::Tensor total = config.ageLossWeight * ageLoss + config.mortalityLossWeight * cox + config.morbidityLossWeight * morbidityLoss
                                    + config.probeLossWeight * probeLoss + penalty;
        parts.age = ageLoss.item<double>();
        parts.mortality = cox.item<double>();
        parts.morbidity = morbidityLoss.item<double>();
        parts.probe = probeLoss.item<double>();
        parts.penalty = penalty.item<double>();
        parts.total = total.item<double>();
        return {total, parts};
    }

    // A training batch's loss (training mode, one pass: BatchNorm takes the batch's statistics).
    std::pair<torch::Tensor, Loss> trainingLoss(const HenawBatch& b)
    {
        net->train(true);
        const Tensors t = tensors(b, 0, b.rows);
        return lossOf(net->forward(t.x, t.gx, t.age), t, b.rows);
    }
};

namespace {

HenawNetwork::Outputs outputsOf(const NetImpl::Out& o)
{
    HenawNetwork::Outputs out;
    for (auto [target, t] : {std::pair{&out.ageMean, o.ageMean}, {&out.ageLogVar, o.ageLogVar}, {&out.logHazard, o.logHazard}, {&out.probe, o.probe},
                             {&out.weights, o.weights}, {&out.morbidity, torch::sigmoid(o.morbidity)}})
        *target = toVector(t);
    return out;
}

} // namespace

HenawNetwork::HenawNetwork() : d(std::make_unique<Impl>()) {}
HenawNetwork::~HenawNetwork() = default;

core::Expected<std::unique_ptr<HenawNetwork>> HenawNetwork::create(const HenawConfig& config, const std::vector<double>& cv, uint64_t seed,
                                                                   const core::TorchDevice& device)
try {
    if (core::Status st = config.validate(); !st)
        return st.error();
    if (cv.size() != size_t(config.markers.size()))
        return Error(QStringLiteral("HENAW: %1 coefficients of variation for %2 markers").arg(cv.size()).arg(config.markers.size()));
    // The CPU's generator (the initial weights) and, on CUDA, that device's alone (dropout there):
    // torch::manual_seed would reseed every device's, under another job training on another GPU.
    {
        at::Generator cpu = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_current_seed(seed);
    }
    if (device.isCuda()) {
        at::Generator cuda = at::globalContext().defaultGenerator(torch::Device(torch::kCUDA, torch::DeviceIndex(device.index)));
        std::lock_guard<std::mutex> lock(cuda.mutex());
        cuda.set_current_seed(seed);
    }
    std::unique_ptr<HenawNetwork> n(new HenawNetwork);
    n->d->config = config;
    n->d->net = Net(config, cv);
    if (device.isCuda()) { // initialised on the CPU (the same weights for a seed), then moved
        n->d->device = torch::Device(torch::kCUDA, torch::DeviceIndex(device.index));
        n->d->net->to(n->d->device);
        for (torch::Tensor& index : n->d->net->systemIndex) // plain members, not buffers
            index = index.to(n->d->device);
    }
    for (const torch::Tensor& p : n->d->net->parameters()) {
        n->d->adamM.push_back(torch::zeros_like(p));
        n->d->adamV.push_back(torch::zeros_like(p));
        n->d->adamDenominator.push_back(torch::empty_like(p));
    }
    return n;
} catch (const std::exception& e) { // LibTorch's, on a device: no memory, a driver error
    return Error(QStringLiteral("HENAW on %1: %2").arg(device.label(), QString::fromUtf8(e.what()).section(QLatin1Char('\n'), 0, 0)));
}

HenawNetwork::Loss HenawNetwork::trainStep(const HenawBatch& batch, double learningRate)
{
    auto parameters = d->net->parameters();
    for (torch::Tensor& p : parameters)
        p.mutable_grad() = torch::Tensor();
    if (d->steps++ == d->failAt)
        throw HenawOutOfMemory{"injected out-of-memory (test of the recovery path)"};
    std::pair<torch::Tensor, Loss> result;
    // Everything that allocates on the device happens here, before any state changes: the
    // forward and backward passes and the clipping's norms (clipping scales the gradients in
    // place at its very end). The update below only writes into tensors that exist already.
    try {
        result = d->trainingLoss(batch);
        result.first.backward();
        nn::utils::clip_grad_norm_(parameters, d->config.gradientClip);
    } catch (const c10::Error& e) {
        const std::string message = e.what_without_backtrace();
        if (message.find("out of memory") == std::string::npos)
            throw;
        for (torch::Tensor& p : parameters)
            p.mutable_grad() = torch::Tensor(); // nothing half-applied
        throw HenawOutOfMemory{message};
    }
    // torch.optim.Adam's update (betas 0.9, 0.999, eps 1e-8), without weight decay; the
    // denominator goes into a buffer made with the moments, so no step allocates half-way.
    torch::NoGradGuard noGrad;
    ++d->adamStep;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double c1 = 1 - std::pow(b1, double(d->adamStep)), c2 = 1 - std::pow(b2, double(d->adamStep));
    for (size_t i = 0; i < parameters.size(); ++i) {
        const torch::Tensor& grad = parameters[i].grad();
        if (!grad.defined())
            continue;
        d->adamM[i].mul_(b1).add_(grad, 1 - b1);
        d->adamV[i].mul_(b2).addcmul_(grad, grad, 1 - b2);
        torch::Tensor& denom = d->adamDenominator[i];
        torch::sqrt_out(denom, d->adamV[i]);
        denom.div_(std::sqrt(c2)).add_(eps);
        parameters[i].addcdiv_(d->adamM[i], denom, -learningRate / c1);
    }
    return result.second;
}

HenawNetwork::Evaluation HenawNetwork::evaluate(const HenawBatch& batch, int64_t chunkRows) const
{
    if (batch.rows <= 0)
        return {}; // no rows: no outputs, a loss of 0 over 0 rows
    torch::NoGradGuard noGrad;
    const NetImpl::Out o = d->forwardInChunks(batch, std::max<int64_t>(1, chunkRows));
    Evaluation e;
    e.loss = d->lossOf(o, d->tensors(batch, 0, batch.rows), batch.rows).second;
    e.outputs = outputsOf(o);
    return e;
}

HenawNetwork::Loss HenawNetwork::evaluateLoss(const HenawBatch& batch) const
{
    if (batch.rows <= 0)
        return {};
    torch::NoGradGuard noGrad;
    return d->lossOf(d->forwardInChunks(batch), d->tensors(batch, 0, batch.rows), batch.rows).second;
}

HenawNetwork::Outputs HenawNetwork::predict(const HenawBatch& b) const { return b.rows <= 0 ? Outputs{} : outputsOf(d->forwardInChunks(b)); }

std::vector<NamedArray> HenawNetwork::weights() const
{
    std::vector<NamedArray> out;
    for (const auto& p : d->net->named_parameters())
        out.push_back({"param." + p.key(), p.value().sizes().vec(), toVector(p.value())});
    for (const auto& b : d->net->named_buffers())
        out.push_back({"buffer." + b.key(), b.value().sizes().vec(), toVector(b.value())});
    return out;
}

std::vector<NamedArray> HenawNetwork::trainingState() const
{
    std::vector<NamedArray> out = weights();
    const auto params = d->net->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        out.push_back({"adam.m." + params[i].key(), d->adamM[i].sizes().vec(), toVector(d->adamM[i])});
        out.push_back({"adam.v." + params[i].key(), d->adamV[i].sizes().vec(), toVector(d->adamV[i])});
    }
    out.push_back({"adam.step", {1}, {float(d->adamStep)}});
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::vector<float> rng;
    {
        std::lock_guard<std::mutex> lock(generator.mutex());
        rng = toVector(generator.get_state());
    }
    out.push_back({"rng.cpu", {int64_t(rng.size())}, rng});
    if (d->device.is_cuda()) { // dropout's masks on the device come from its own generator
        at::Generator cuda = at::globalContext().defaultGenerator(d->device);
        std::lock_guard<std::mutex> lock(cuda.mutex());
        const std::vector<float> state = toVector(cuda.get_state());
        out.push_back({"rng.cuda", {int64_t(state.size())}, state});
    }
    return out;
}

core::Status HenawNetwork::load(const std::vector<NamedArray>& arrays, bool withTrainingState)
{
    std::map<std::string, const NamedArray*> byName;
    for (const NamedArray& a : arrays)
        byName[a.name] = &a;
    torch::NoGradGuard noGrad;
    auto copyInto = [&](const std::string& name, torch::Tensor target) -> core::Status {
        const auto it = byName.find(name);
        if (it == byName.end())
            return Error(QStringLiteral("HENAW weights: '%1' is missing").arg(QString::fromStdString(name)));
        // A scalar buffer (BatchNorm's count) is stored as one value.
        const bool scalar = target.dim() == 0 && it->second->values.size() == 1;
        if (!scalar && it->second->shape != target.sizes().vec())
            return Error(QStringLiteral("HENAW weights: '%1' has another shape than this model's").arg(QString::fromStdString(name)));
        target.copy_(torch::tensor(it->second->values).reshape(target.sizes()));
        return core::okStatus();
    };
    for (const auto& p : d->net->named_parameters())
        if (core::Status st = copyInto("param." + p.key(), p.value()); !st)
            return st;
    for (const auto& b : d->net->named_buffers())
        if (core::Status st = copyInto("buffer." + b.key(), b.value()); !st)
            return st;
    if (!withTrainingState)
        return core::okStatus();
    const auto params = d->net->named_parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        if (core::Status st = copyInto("adam.m." + params[i].key(), d->adamM[i]); !st)
            return st;
        if (core::Status st = copyInto("adam.v." + params[i].key(), d->adamV[i]); !st)
            return st;
    }
    const auto step = byName.find("adam.step"), rng = byName.find("rng.cpu");
    if (step == byName.end() || rng == byName.end())
        return Error(QStringLiteral("HENAW training state: the optimiser step or the random generator state is missing"));
    d->adamStep = int64_t(step->second->values.at(0));
    std::vector<uint8_t> bytes(rng->second->values.begin(), rng->second->values.end());
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(torch::tensor(bytes, torch::kUInt8));
    }
    if (const auto cudaState = byName.find("rng.cuda"); d->device.is_cuda() && cudaState != byName.end()) {
        const std::vector<uint8_t> state(cudaState->second->values.begin(), cudaState->second->values.end());
        at::Generator cuda = at::globalContext().defaultGenerator(d->device);
        std::lock_guard<std::mutex> lock(cuda.mutex());
        cuda.set_state(torch::tensor(state, torch::kUInt8));
    }
    return core::okStatus();
}

int64_t HenawNetwork::parameterCount() const
{
    int64_t n = 0;
    for (const torch::Tensor& p : d->net->parameters())
        n += p.numel();
    return n;
}

void HenawNetwork::injectOutOfMemoryAt(int64_t step) { d->failAt = d->steps + step; }

} // namespace bioforge::age
