#include "model/kv_cache.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace bioforge::llm {

namespace {

size_t floatsEach(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize)
{
    const auto bytes = KvCache::bytesFor(layers, capacity, kvHeads, headSize);
    if (!bytes)
        throw std::length_error("KV cache size overflows");
    return size_t(*bytes / (2 * sizeof(float)));
}

} // namespace

std::optional<uint64_t> KvCache::bytesFor(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize)
{
    uint64_t n = 2 * sizeof(float);
    for (const int64_t d : {layers, capacity, kvHeads, headSize})
        if (d < 0 || __builtin_mul_overflow(n, uint64_t(d), &n))
            return std::nullopt;
    if (n > uint64_t(INT64_MAX))
        return std::nullopt;
    return n;
}

namespace {
uint64_t nextId()
{
    static std::atomic<uint64_t> counter{0};
    return ++counter;
}
} // namespace

KvCache::KvCache(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize)
    : m_layers(layers), m_capacity(capacity), m_kvHeads(kvHeads), m_headSize(headSize),
      m_id(nextId()), m_keys(floatsEach(layers, capacity, kvHeads, headSize)), m_values(m_keys.size())
{
}

void KvCache::copyOut(std::vector<float>& keys, std::vector<float>& values) const
{
    const size_t each = size_t(m_size * width());
    keys.resize(size_t(m_layers) * each);
    values.resize(keys.size());
    for (int64_t layer = 0; layer < m_layers; ++layer) {
        std::memcpy(keys.data() + size_t(layer) * each, key(layer, 0), each * sizeof(float));
        std::memcpy(values.data() + size_t(layer) * each, value(layer, 0), each * sizeof(float));
    }
}

bool KvCache::restore(int64_t size, const std::vector<float>& keys, const std::vector<float>& values)
{
    if (size < 0 || size > m_capacity)
        return false;
    const size_t each = size_t(size * width());
    if (keys.size() != size_t(m_layers) * each || values.size() != keys.size())
        return false;
    for (int64_t layer = 0; layer < m_layers; ++layer) {
        std::memcpy(key(layer, 0), keys.data() + size_t(layer) * each, each * sizeof(float));
        std::memcpy(value(layer, 0), values.data() + size_t(layer) * each, each * sizeof(float));
    }
    m_size = size;
    ++m_version;
    return true;
}

void KvCache::remove(int64_t first, int64_t count, const RopeParams& rope)
{
    first = std::clamp<int64_t>(first, 0, m_size);
    count = std::clamp<int64_t>(count, 0, m_size - first);
    if (count == 0)
        return;
    const int64_t moved = m_size - first - count;
    RopeParams rotation = rope;
    rotation.rotationOnly = true;
    for (int64_t layer = 0; layer < m_layers; ++layer) {
        std::memmove(key(layer, first), key(layer, first + count), size_t(moved * width()) * sizeof(float));
        std::memmove(value(layer, first), value(layer, first + count), size_t(moved * width()) * sizeof(float));
        // Rotating by -count positions moves each key to its new position.
        for (int64_t pos = first; pos < first + moved; ++pos)
            applyRope(key(layer, pos), int(m_kvHeads), int(m_headSize), float(-count), rotation);
    }
    m_size -= count;
    ++m_version;
}

} // namespace bioforge::llm
