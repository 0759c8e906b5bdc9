# Compiler set-up: ccache when present, warnings, sanitizers.
find_program(BIOFORGE_CCACHE ccache)
if(BIOFORGE_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${BIOFORGE_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER "${BIOFORGE_CCACHE}")
  set(CMAKE_CUDA_COMPILER_LAUNCHER "${BIOFORGE_CCACHE}")
endif()

add_library(bioforge_warnings INTERFACE)
target_compile_options(bioforge_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)

if(BIOFORGE_SANITIZE)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX,C>:-fsanitize=${BIOFORGE_SANITIZE}>
                      $<$<COMPILE_LANGUAGE:CXX,C>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:CXX,C>:-fno-sanitize-recover=undefined>)
  add_link_options(-fsanitize=${BIOFORGE_SANITIZE})
endif()

# libFuzzer builds (clang): every library gets coverage instrumentation; the
# fuzz targets themselves link the fuzzer's main (tests/fuzz/CMakeLists.txt).
if(BIOFORGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "BIOFORGE_FUZZ needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-14)")
  endif()
  add_compile_options($<$<COMPILE_LANGUAGE:CXX,C>:-fsanitize=fuzzer-no-link>)
endif()

# bioforge_torch_sources(<file>...): the translation units that include
# LibTorch. Under clang they are compiled as C++17: clang 14 with libstdc++ 12
# in C++20 instantiates std::vector's now-constexpr members for the incomplete
# c10::IValue in Debian's LibTorch 1.13 headers and stops ("arithmetic on a
# pointer to an incomplete type"). GCC compiles them as C++20. The headers these
# files share with the rest of the code are plain C++17-compatible, and
# libstdc++ keeps one ABI across the two standards.
function(bioforge_torch_sources)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTIES COMPILE_OPTIONS "-std=c++17")
  endif()
endfunction()
