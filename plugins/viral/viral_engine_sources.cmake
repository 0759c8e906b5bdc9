# The viral engine's sources (relative to plugins/viral/engine) and their per-file compile
# options: shared by the plugin's build (plugins/viral/CMakeLists.txt) and the device check's
# (tests/gpu with BIOFORGE_TORCH_ENGINES: the same engine built on a GPU machine against its
# LibTorch, for torch_engines_check and bench_viral).
set(BIOFORGE_VIRAL_ENGINE_FILES
  model/attention_kernels.cpp
  model/attention_kernels_avx512.cpp
  model/classifier_writer.cpp
  model/dnabert_config.cpp
  model/dnabert_model.cpp
  model/esm2_config.cpp
  model/encoder_precision.cpp
  model/esm2_model.cpp
  model/esm2_rotary.cpp
  model/gelu_kernels.cpp
  model/gelu_kernels_avx512.cpp
  model/int8_gemm.cpp
  model/int8_gemm_avx512.cpp
  model/int8_kernels.cpp
  model/int8_kernels_avx512.cpp
  model/int8_matmul.cpp
  model/model_config_json.cpp
  model/synthetic_encoders.cpp
  model/encoder_templates.cpp
  model/torch_int8.cpp
  model/torch_int8_engine.cpp
  model/torch_layers.cpp
  model/torch_runtime.cpp
  model/torch_weights.cpp
  model/virus_classifier.cpp
  pipeline/contig_call.cpp
  pipeline/contig_source.cpp
  pipeline/embedding_stage.cpp
  pipeline/float_text.cpp
  pipeline/frame_shard.cpp
  pipeline/frame_sharder.cpp
  pipeline/frame_stage.cpp
  pipeline/shard_merge.cpp
  pipeline/shard_plan.cpp
  pipeline/stage_weights.cpp
  pipeline/model_digest.cpp
  pipeline/predict_job.cpp
  pipeline/predict_settings.cpp
  pipeline/prediction_tables.cpp
  pipeline/result_cache.cpp
  pipeline/results_stage.cpp
  pipeline/token_batcher.cpp
  pipeline/tokenizer_warnings.cpp
  pipeline/validate_job.cpp
  sequence/chunker.cpp
  sequence/six_frames.cpp
  tokenizer/esm_alphabet.cpp
  tokenizer/hf_bpe_tokenizer.cpp
)

# bioforge_viral_engine_source_options(<engine folder>): the options of the files that need
# their own, set in the calling directory (source properties are per directory).
function(bioforge_viral_engine_source_options dir)
  # The scalar references without FMA contraction too: the AVX-512 kernels must equal them bit for bit.
  set_property(SOURCE ${dir}/model/int8_kernels.cpp APPEND PROPERTY COMPILE_OPTIONS -ffp-contract=off)
  set_source_files_properties(${dir}/model/int8_kernels_avx512.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-ffp-contract=off;-Wno-uninitialized;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
  set_source_files_properties(${dir}/model/gelu_kernels_avx512.cpp ${dir}/model/attention_kernels_avx512.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-Wno-uninitialized;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
  set_source_files_properties(${dir}/model/int8_gemm_avx512.cpp PROPERTIES COMPILE_OPTIONS "-mavx2;-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-ffp-contract=off;-Wno-uninitialized;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
  # (GCC 12 warns inside its own AVX-512 headers, as in llm_kernels.cmake.)
  if(COMMAND bioforge_torch_sources) # (the standalone device build has none: GCC there)
    bioforge_torch_sources(${dir}/model/dnabert_model.cpp ${dir}/model/esm2_model.cpp ${dir}/model/esm2_rotary.cpp ${dir}/model/torch_int8.cpp ${dir}/model/torch_int8_engine.cpp ${dir}/model/torch_layers.cpp
          ${dir}/model/torch_runtime.cpp ${dir}/model/torch_weights.cpp ${dir}/model/virus_classifier.cpp)
  endif()
  # esm2_rotary.cpp's rotation (rotateHead): vectorised (GCC's -O2 cost model leaves its short loop
  # scalar), no FMA contraction (the same bits as LibTorch's operations; tst_esm2_model).
  set_property(SOURCE ${dir}/model/esm2_model.cpp ${dir}/model/esm2_rotary.cpp APPEND PROPERTY COMPILE_OPTIONS "-ffp-contract=off;$<$<CXX_COMPILER_ID:GNU>:-fvect-cost-model=dynamic>")
endfunction()
