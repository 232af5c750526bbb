# MX GEMM throughput against single-threaded OpenBLAS sgemm of the same shapes (the ratio is printed at the end).
find_library(DACAPO_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
find_path(DACAPO_OPENBLAS_INCLUDE cblas.h PATH_SUFFIXES openblas-pthread openblas REQUIRED
          PATHS /usr/include/x86_64-linux-gnu /usr/include)
add_executable(mx_gemm_bench ${CMAKE_CURRENT_LIST_DIR}/mx_gemm_bench.cpp)
target_include_directories(mx_gemm_bench SYSTEM PRIVATE ${DACAPO_OPENBLAS_INCLUDE})
target_link_libraries(mx_gemm_bench PRIVATE dacapo_mx benchmark::benchmark ${DACAPO_OPENBLAS_LIBRARY} dacapo_options)
