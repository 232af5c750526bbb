// Entry point for tests that elaborate a SystemC design. libsystemc provides main(), which sets up the kernel
// and calls sc_main; sc_main runs Catch. CTest starts one process per TEST_CASE, so every case elaborates its
// own design exactly once.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
