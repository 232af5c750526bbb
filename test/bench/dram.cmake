# LPDDR5 replay speed: requests simulated per host second for sequential and random traces (dram-replay's path,
# no SystemC), with a ratio against a reference loop that only decodes the addresses.
add_executable(dram_bench ${CMAKE_CURRENT_LIST_DIR}/dram_bench.cpp)
target_link_libraries(dram_bench PRIVATE dacapo_dram_core benchmark::benchmark dacapo_options)
