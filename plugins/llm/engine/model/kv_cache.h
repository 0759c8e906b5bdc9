#pragma once

// The key/value cache of one conversation: for every layer, the keys and
// values of positions 0..size-1, with an explicit capacity. When the context
// fills, remove() drops a span of positions and moves the later ones down,
// rotating their keys back by the removed count (RoPE composes), so the
// conversation continues without recomputing.

#include "compute/ops.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace bioforge::llm {

class KvCache {
public:
    // Throws std::length_error when the size overflows (see bytesFor) and std::bad_alloc when
    // it cannot be allocated; LlamaModel::checkCache refuses both up front with the sizes.
    KvCache(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize);
    // Not copyable: a copy would share id() while its contents diverge (a GPU back-end's copy
    // of the cache is keyed by it). Moves keep the one identity.
    KvCache(const KvCache&) = delete;
    KvCache& operator=(const KvCache&) = delete;
    KvCache(KvCache&&) = default;
    KvCache& operator=(KvCache&&) = default;

    // Bytes of keys and values for these dimensions (layers × capacity positions × kvHeads ×
    // headSize floats, twice), or nullopt when a dimension is negative or the product overflows.
    static std::optional<uint64_t> bytesFor(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headSize);

    int64_t layers() const { return m_layers; }
    int64_t capacity() const { return m_capacity; }
    // Changes when positions already stored change (remove(), restore()): a copy elsewhere (a GPU
    // back-end's) is then stale. Appending positions, setSize and clear do not change it.
    uint64_t version() const { return m_version; }
    // Unique in the process (a cache made at a destroyed one's address is another cache).
    uint64_t id() const { return m_id; }
    int64_t size() const { return m_size; }
    void setSize(int64_t size) { m_size = size; }
    void clear() { m_size = 0; }
    int64_t width() const { return m_kvHeads * m_headSize; }

    float* key(int64_t layer, int64_t pos) { return m_keys.data() + (size_t(layer) * size_t(m_capacity) + size_t(pos)) * size_t(width()); }
    float* value(int64_t layer, int64_t pos) { return m_values.data() + (size_t(layer) * size_t(m_capacity) + size_t(pos)) * size_t(width()); }
    const float* key(int64_t layer, int64_t pos) const { return const_cast<KvCache*>(this)->key(layer, pos); }
    const float* value(int64_t layer, int64_t pos) const { return const_cast<KvCache*>(this)->value(layer, pos); }

    // Positions 0..size()-1 of every layer, one layer after another ([layers][size][width] floats):
    // what a paused generation keeps. restore() puts such a copy back; false (the cache unchanged)
    // when the size passes the capacity or a length is not layers × size × width. Positions
    // already stored change, so version() does too.
    void copyOut(std::vector<float>& keys, std::vector<float>& values) const;
    bool restore(int64_t size, const std::vector<float>& keys, const std::vector<float>& values);

    // Removes positions [first, first + count); later positions move down by `count`.
    void remove(int64_t first, int64_t count, const RopeParams& rope);
    size_t bytes() const { return (m_keys.size() + m_values.size()) * sizeof(float); }

private:
    int64_t m_layers, m_capacity, m_kvHeads, m_headSize;
    int64_t m_size = 0;
    uint64_t m_version = 0;
    uint64_t m_id;
    std::vector<float> m_keys, m_values;
};

} // namespace bioforge::llm
