#ifndef BIOFORGE_LLM_GPU_API_H
#define BIOFORGE_LLM_GPU_API_H

/* The llm engine's GPU module (libbioforge_llm_cuda.so, libbioforge_llm_hip.so):
 * one kernel source built by nvcc and by hipcc, loaded with dlopen so that
 * nothing needs a GPU runtime to start. A plain C ABI: no C++ types cross it,
 * so the module's compiler (nvcc hosting g++, or hipcc's clang) never has to
 * agree with the engine's on anything but C.
 *
 * Every function returns 0 on success, or non-zero with a message of at most
 * `len` bytes in `msg` naming the device, the runtime call and its error
 * ("cuda:0: cudaMemcpyAsync: an illegal memory access was encountered
 * (cudaErrorIllegalAddress 700)"); nothing aborts. Codes: 1 bad argument,
 * 2 no device, 3 runtime error, 4 out of device memory.
 *
 * Types are ggml's numbers (gguf/gguf_types.h): weights F32 0, F16 1, Q4_0 2,
 * Q8_0 8, Q4_K 12, Q5_K 13, Q6_K 14, BF16 30; activations Q8_0 8, Q8_K 15,
 * F16 1, BF16 30. Matrices are row-major as GGUF stores them: `rows` rows of
 * `cols` elements, `row_bytes` bytes each. One non-blocking stream per handle;
 * the default stream is never used. A handle is not thread-safe. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bf_llm_gpu bf_llm_gpu;

enum { BF_LLM_GPU_OK = 0, BF_LLM_GPU_BAD_ARGUMENT = 1, BF_LLM_GPU_NO_DEVICE = 2, BF_LLM_GPU_RUNTIME = 3, BF_LLM_GPU_OUT_OF_MEMORY = 4 };

/* "CUDA 13000" or "HIP 50231", the runtime the module was built against. */
const char* bf_llm_gpu_runtime(void);
/* Devices the runtime sees; 0 with a message when there are none. */
int bf_llm_gpu_device_count(int* count, char* msg, size_t len);
int bf_llm_gpu_open(int device, bf_llm_gpu** handle, char* msg, size_t len);
void bf_llm_gpu_close(bf_llm_gpu* handle);
/* The device's name and its free and total memory in bytes. */
int bf_llm_gpu_describe(bf_llm_gpu* handle, char* name, size_t name_len, uint64_t* free_bytes, uint64_t* total_bytes, char* msg,
                        size_t len);
/* Copies a weight matrix to the device as it is (still quantised); `*id`
 * names it afterwards. Refused with both sizes when it does not fit. */
int bf_llm_gpu_upload(bf_llm_gpu* handle, int type, int64_t rows, int64_t cols, size_t row_bytes, const void* host, int* id, char* msg,
                      size_t len);
/* y[t] = W[id] · x[t] for `tokens` rows: x is tokens × cols floats, y tokens × rows
 * (host memory). Activations are converted on the device as the CPU engine
 * converts them (Q8_0, Q8_K, F16, BF16), so each block's integer sum and its
 * scaling equal the CPU's; only the order of the float sum across blocks differs. */
int bf_llm_gpu_matmul(bf_llm_gpu* handle, int id, const float* x, int64_t tokens, float* y, char* msg, size_t len);
/* Converts `tokens` rows of `cols` floats to `activation_type` on the device
 * and copies the bytes back (tokens × row bytes of that type): for tests. */
int bf_llm_gpu_convert(bf_llm_gpu* handle, int activation_type, const float* x, int64_t tokens, int64_t cols, void* out, char* msg,
                       size_t len);

/* Benchmarks, timed on the device with events (median of `reps` after 3 warm-up runs):
 * device-to-device copy of `bytes` (bytes read + written per second), and one
 * pass over the weight matrices `ids` in order as a forward pass makes it, in
 * seconds per pass: a matrix-vector product each over `tokens` ≤ 32 rows of
 * random activations already on the device, converted before the matrices
 * whose `convert` flag is set (null: all; a forward pass converts once for q,
 * k and v, once for gate and up); `graph` non-zero: the pass captured once as a
 * graph and replayed (no launch gaps), else launched kernel by kernel. */
int bf_llm_gpu_copy_bandwidth(bf_llm_gpu* handle, size_t bytes, int reps, double* bytes_per_second, char* msg, size_t len);
int bf_llm_gpu_time_pass(bf_llm_gpu* handle, const int* ids, const int* convert, int count, int64_t tokens, int reps, int graph,
                         double* seconds, char* msg, size_t len);

/* ---- A layer's non-matrix work on device memory (llm_layer_kernels.cuh) ----
 * Optional in a module (a loader checks for them). Every pointer below is device
 * memory from bf_llm_gpu_alloc; rows are tokens. The work is queued on the
 * handle's stream; bf_llm_gpu_download waits for it. */
int bf_llm_gpu_alloc(bf_llm_gpu* handle, size_t bytes, void** device_ptr, char* msg, size_t len);
int bf_llm_gpu_free(bf_llm_gpu* handle, void* device_ptr, char* msg, size_t len);
int bf_llm_gpu_upload_bytes(bf_llm_gpu* handle, void* device_dst, const void* host_src, size_t bytes, char* msg, size_t len);
int bf_llm_gpu_download(bf_llm_gpu* handle, void* host_dst, const void* device_src, size_t bytes, char* msg, size_t len);
/* A device-to-device copy, queued (not waited for). */
int bf_llm_gpu_copy_device(bf_llm_gpu* handle, void* device_dst, const void* device_src, size_t bytes, char* msg, size_t len);
/* bf_llm_gpu_matmul on device memory: x tokens × cols, y tokens × rows floats; queued, not waited for. */
int bf_llm_gpu_matmul_device(bf_llm_gpu* handle, int id, const float* x, int64_t tokens, float* y, char* msg, size_t len);
/* Optional: bf_llm_gpu_matmul_device for a product whose x the caller has not written since the
 * handle's last device product read it (q, k and v of one norm; gate and up): when that product
 * converted the same x (pointer, tokens, columns) to the same activation type and nothing on the
 * handle has written its activation buffer since, the conversion is skipped (*reused = 1). The
 * result is the same either way (the conversion is exact and deterministic). */
int bf_llm_gpu_matmul_device_shared(bf_llm_gpu* handle, int id, const float* x, int64_t tokens, float* y, int* reused, char* msg, size_t len);
/* out[r] = x[r] / sqrt(mean(x[r]²) + eps) · weight for `rows` rows of `width`. */
int bf_llm_gpu_rms_norm(bf_llm_gpu* handle, const float* x, const float* weight, int64_t rows, int64_t width, float eps, float* out, char* msg,
                        size_t len);
/* a = silu(a) · b, and x += y, over n floats. */
int bf_llm_gpu_silu_multiply(bf_llm_gpu* handle, float* a, const float* b, int64_t n, char* msg, size_t len);
int bf_llm_gpu_add(bf_llm_gpu* handle, float* x, const float* y, int64_t n, char* msg, size_t len);

/* compute/ops.h's RopeParams; freq_factors: device memory (dims / 2 floats) or null. */
typedef struct bf_llm_gpu_rope {
    int dims;
    float freq_base, freq_scale;
    int neox;
    const float* freq_factors;
    float ext_factor, attn_factor, correction_dims[2];
    int rotation_only;
} bf_llm_gpu_rope;

/* For tokens at positions first_pos + t (q: tokens × heads·head_size, k and v: tokens ×
 * kv_heads·head_size; biases null or one row): adds the biases, rotates q in place and k into
 * cache_keys, copies v into cache_values, at those positions (this layer's arrays of
 * [capacity, kv_heads·head_size] floats). head_size ≤ 256. */
int bf_llm_gpu_rope_store(bf_llm_gpu* handle, float* q, const float* k, const float* v, const float* bias_q, const float* bias_k, const float* bias_v,
                          int64_t heads, int64_t kv_heads, int64_t head_size, const bf_llm_gpu_rope* rope, int64_t tokens, int64_t first_pos,
                          float* cache_keys, float* cache_values, char* msg, size_t len);
/* Causal grouped-query attention of `tokens` queries (positions first_pos …) over this
 * layer's cache: out has one heads·head_size row per token; scale 1 / sqrt(head_size). */
int bf_llm_gpu_attention(bf_llm_gpu* handle, const float* q, const float* cache_keys, const float* cache_values, int64_t heads, int64_t kv_heads,
                         int64_t head_size, int64_t tokens, int64_t first_pos, float* out, char* msg, size_t len);

/* Captured passes (optional): a generated token's forward pass recorded once as a graph and
 * replayed for the next tokens (one launch instead of ~20 a layer).
 * set_position: writes first_pos to device memory (queued; *device_position stays the same
 * address for the handle's life); the _at calls read their position there when they run, so a
 * replay computes the position written before it. attention_at takes at most 8 tokens (the
 * split-K kernels), and its grid covers the chunks of first_pos + tokens positions: a replay's
 * position must give the same number of 256-position chunks. copy_rows_at: dst = rows × row_floats
 * floats of src from row *first_row_at on.
 * capture_begin / capture_end: everything queued on the handle's stream in between is recorded,
 * not run (nothing in between may wait for the device: allocate, upload or download first);
 * capture_end with keep instantiates it into *graph (freed by graph_free or with the handle),
 * without keep drops it. graph_launch queues one replay. */
int bf_llm_gpu_set_position(bf_llm_gpu* handle, int64_t first_pos, const int64_t** device_position, char* msg, size_t len);
int bf_llm_gpu_rope_store_at(bf_llm_gpu* handle, float* q, const float* k, const float* v, const float* bias_q, const float* bias_k, const float* bias_v,
                             int64_t heads, int64_t kv_heads, int64_t head_size, const bf_llm_gpu_rope* rope, int64_t tokens, int64_t first_pos,
                             const int64_t* first_pos_at, float* cache_keys, float* cache_values, char* msg, size_t len);
int bf_llm_gpu_attention_at(bf_llm_gpu* handle, const float* q, const float* cache_keys, const float* cache_values, int64_t heads, int64_t kv_heads,
                            int64_t head_size, int64_t tokens, int64_t first_pos, const int64_t* first_pos_at, float* out, char* msg, size_t len);
int bf_llm_gpu_copy_rows_at(bf_llm_gpu* handle, float* dst, const float* src, int64_t row_floats, int64_t rows, const int64_t* first_row_at, char* msg,
                            size_t len);
int bf_llm_gpu_capture_begin(bf_llm_gpu* handle, char* msg, size_t len);
int bf_llm_gpu_capture_end(bf_llm_gpu* handle, int keep, void** graph, char* msg, size_t len);
int bf_llm_gpu_graph_launch(bf_llm_gpu* handle, void* graph, char* msg, size_t len);
/* *current = 0 once the handle has moved a buffer the graph names (its activation and attention
 * scratch grow by reallocation): such a graph is refused by graph_launch; capture it again. */
int bf_llm_gpu_graph_current(bf_llm_gpu* handle, void* graph, int* current, char* msg, size_t len);
int bf_llm_gpu_graph_free(bf_llm_gpu* handle, void* graph, char* msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif
