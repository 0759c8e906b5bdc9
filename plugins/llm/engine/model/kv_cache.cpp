#include "model/kv_cache.h"

#include <algorithm>
#include <cstring>

namespace bioforge::llm {

KvCache::KvCache(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize)
    : m_layers(layers), m_capacity(capacity), m_kvHeads(kvHeads), m_headSize(headSize),
      m_keys(size_t(layers * capacity * kvHeads * headSize)), m_values(size_t(layers * capacity * kvHeads * headSize))
{
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
}

} // namespace bioforge::llm
