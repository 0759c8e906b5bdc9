# The Qt-free core of the llm engine, included by plugins/llm/CMakeLists.txt
# and by tests/gpu/CMakeLists.txt when that is built on its own:
#  - bioforge_llm_kernels: tensor types, quantised CPU kernels, the scalar element-wise
#    operations (compute/ops.cpp: the GPU tests' reference), the GPU module loader;
#  - bioforge_llm_cuda / bioforge_llm_hip: the GPU module, one kernel source
#    (engine/gpu/) built by nvcc and by hipcc, loaded with dlopen so that a
#    build with GPU code starts on machines without a GPU runtime.
# Needs BIOFORGE_HAVE_CUDA / BIOFORGE_HAVE_HIP and the module functions of cmake/BioForgeGpu.cmake.
set(_llm "${CMAKE_CURRENT_LIST_DIR}")
add_library(bioforge_llm_kernels STATIC
  ${_llm}/engine/compute/ops.cpp
  ${_llm}/engine/gguf/gguf_types.cpp
  ${_llm}/engine/quant/amx_q4_k.cpp
  ${_llm}/engine/quant/amx_q8_0.cpp
  ${_llm}/engine/quant/dequantize.cpp
  ${_llm}/engine/quant/packed_q8_pairs.cpp
  ${_llm}/engine/quant/packed_q8_pairs_avx512.cpp
  ${_llm}/engine/quant/quantize.cpp
  ${_llm}/engine/quant/quantize_avx2.cpp
  ${_llm}/engine/quant/quantize_avx512.cpp
  ${_llm}/engine/quant/vec_dot.cpp
  ${_llm}/engine/quant/vec_dot_avx2.cpp
  ${_llm}/engine/quant/vec_dot_many_avx2.cpp
  ${_llm}/engine/quant/vec_dot_many_avx512.cpp
  ${_llm}/engine/quant/vec_dot_ref.cpp
  ${_llm}/engine/gpu/llm_gpu_module.cpp
)
# Fast paths are compiled for their instruction sets and chosen at run time.
set_source_files_properties(${_llm}/engine/quant/vec_dot_avx2.cpp ${_llm}/engine/quant/vec_dot_many_avx2.cpp
  ${_llm}/engine/quant/quantize_avx2.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
set_source_files_properties(${_llm}/engine/quant/vec_dot_many_avx512.cpp ${_llm}/engine/quant/packed_q8_pairs_avx512.cpp
  ${_llm}/engine/quant/quantize_avx512.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-Wno-uninitialized;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
set_source_files_properties(${_llm}/engine/quant/amx_q8_0.cpp ${_llm}/engine/quant/amx_q4_k.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mamx-tile;-mamx-int8;-Wno-uninitialized;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
# (GCC 12 reports its own _mm512_undefined_* placeholders inside the AVX-512 headers as uninitialised.)
set_target_properties(bioforge_llm_kernels PROPERTIES AUTOMOC OFF)
target_include_directories(bioforge_llm_kernels PUBLIC ${_llm}/engine)
target_link_libraries(bioforge_llm_kernels PUBLIC ${CMAKE_DL_LIBS} PRIVATE bioforge_warnings)

set(BIOFORGE_LLM_GPU_SRC "${_llm}/engine/gpu/llm_gpu_api.cu")
get_filename_component(_bioforge_root "${_llm}/../.." ABSOLUTE)
set(_llm_gpu_includes ${_llm}/engine ${_bioforge_root}/core)
if(BIOFORGE_HAVE_CUDA)
  # Hopper (sm_90) and Ampere (sm_80); PTX of sm_90 runs on newer parts.
  set(BIOFORGE_LLM_CUDA_ARCHS "80;90" CACHE STRING "CUDA architectures of the llm GPU module")
  bioforge_add_cuda_module(bioforge_llm_cuda SOURCE ${BIOFORGE_LLM_GPU_SRC} ARCHS ${BIOFORGE_LLM_CUDA_ARCHS} INCLUDES ${_llm_gpu_includes})
endif()
if(BIOFORGE_HAVE_HIP)
  # -ffp-contract=off: the activation rounding must not be fused into FMAs (gpu_math.h).
  bioforge_add_hip_module(bioforge_llm_hip SOURCE ${BIOFORGE_LLM_GPU_SRC} INCLUDES ${_llm_gpu_includes} FLAGS -ffp-contract=off
    DEPENDS ${_llm}/engine/gpu/llm_gpu_api.h ${_llm}/engine/gpu/llm_gpu_handle.cuh ${_llm}/engine/gpu/llm_kernels.cuh ${_llm}/engine/gpu/gpu_math.h ${_llm}/engine/gpu/gpu_block_dot.h
      ${_llm}/engine/gpu/llm_gpu_layer_api.cuh ${_llm}/engine/gpu/llm_layer_kernels.cuh ${_llm}/engine/gpu/llm_flash_attention.cuh ${_llm}/engine/gpu/llm_gpu_bench_api.cuh ${_llm}/engine/gpu/llm_gpu_graph_api.cuh ${_llm}/engine/gpu/gpu_layer_math.h
            ${_llm}/engine/quant/block_layouts.h ${_bioforge_root}/core/compute/gpu/gpu_portability.h)
endif()
