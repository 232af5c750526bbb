# DaCapo accelerator simulation speed: ResNet18 (batch 1) GEMM layers on a 3-row B-SA, timing-only (ideal memory
# and LPDDR5) and functional; simulated tiles per host second, with the ratios printed at the end.
add_executable(dacapo_bench ${CMAKE_CURRENT_LIST_DIR}/dacapo_bench.cpp)
target_include_directories(dacapo_bench PRIVATE ${PROJECT_SOURCE_DIR}/test/dacapo)
target_compile_definitions(dacapo_bench PRIVATE DACAPO_TEST_DATA_DIR="${DACAPO_TEST_DATA_DIR}")
target_link_libraries(dacapo_bench PRIVATE dacapo_acc dacapo_dram benchmark::benchmark PkgConfig::SYSTEMC dacapo_options)
