// Pure logic of the profiler: the topology reader (errors name file, line and column), the GEMM lists of the
// kernels (shapes of the backward pass), row lists, and the write_output channel of the fake board.
#include <catch2/catch.hpp>

#include <sstream>

#include "firmware/apps/profile.h"
#include "firmware/hal/fake_board.h"
#include "platform/topology.h"

using namespace dacapo;

namespace {
fw::ProfileModel parse(const std::string& text) {
  std::istringstream in(text);
  return platform::parse_gemm_topology(in, "t.csv", "net");
}
std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const platform::TopologyError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("topology rows are read with their trailing comma and CRLF") {
  const fw::ProfileModel m = parse("Layer name,M,N,K,\r\nconv1,12544,64,147,\r\n\r\nfc,1,1000,512,\r\n");
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].name == "conv1");
  CHECK(m.layers[0].m == 12544);
  CHECK(m.layers[0].n == 64);
  CHECK(m.layers[0].k == 147);
  CHECK(m.layers[1].name == "fc");
  CHECK(m.layers[1].n == 1000);
}

TEST_CASE("bad topology input names file line and column") {
  CHECK(parse_error("") == "t.csv: empty topology file (no header)");
  CHECK(parse_error("name,M,N,K\n").find("t.csv:1: expected header") == 0);
  CHECK(parse_error("Layer name,M,N,K,\n").find("t.csv: no layers") == 0);
  CHECK(parse_error("Layer name,M,N,K,\na,1,2,\n").find("t.csv:2: expected 4 columns") == 0);
  CHECK(parse_error("Layer name,M,N,K,\na,1,2,3,\nb,4,-5,6,\n").find("t.csv:3: column 'N'") == 0);
  CHECK(parse_error("Layer name,M,N,K,\na,1,2,3x,\n").find("t.csv:2: column 'K'") == 0);
  CHECK(parse_error("Layer name,M,N,K,\na,1048577,2,3,\n").find("t.csv:2: column 'M'") == 0);
  CHECK(parse_error("Layer name,M,N,K,\n,1,2,3,\n").find("t.csv:2: column 'Layer name' is empty") == 0);
  CHECK(parse_error("Layer name,M,N,K,\na,1,2,3,\na,1,2,3,\n").find("t.csv:3: column 'Layer name': duplicate") == 0);
}

TEST_CASE("every paper model topology loads and its training GEMMs fit the descriptor limits") {
  for (const char* name : {"resnet18", "resnet34", "wide_resnet50_2", "wide_resnet101_2", "vit_b_32", "vit_b_16"}) {
    const fw::ProfileModel m = platform::load_gemm_topology(DACAPO_TEST_DATA_DIR "/topologies", name);
    CHECK(m.layers.size() > 10);
    CHECK_NOTHROW(fw::kernel_gemms(m, fw::ProfileKernel::Train, 16));
  }
  // ResNet-18: 20 convolutions + the classifier; 1.81 GMAC per image (the published figure).
  const fw::ProfileModel r18 = platform::load_gemm_topology(DACAPO_TEST_DATA_DIR "/topologies", "resnet18");
  CHECK(r18.layers.size() == 21);
  uint64_t macs = 0;
  for (const fw::KernelGemm& g : fw::kernel_gemms(r18, fw::ProfileKernel::Infer, 1)) macs += uint64_t(g.m) * g.n * g.k;
  CHECK(macs > 1'800'000'000ull);
  CHECK(macs < 1'830'000'000ull);
  CHECK_THROWS_AS(platform::load_gemm_topology(DACAPO_TEST_DATA_DIR "/topologies", "nosuch"), platform::TopologyError);
}

TEST_CASE("a training step is the forward pass at batch B then both gradients per GEMM in reverse") {
  fw::ProfileModel m;
  m.name = "two";
  m.layers = {{"a", 10, 20, 30}, {"b", 5, 7, 20}};
  const auto inf = fw::kernel_gemms(m, fw::ProfileKernel::Infer, 4);
  REQUIRE(inf.size() == 2);
  CHECK(inf[0].m == 40);
  CHECK(inf[1].m == 20);
  const auto tr = fw::kernel_gemms(m, fw::ProfileKernel::Train, 16);
  // forward a, forward b, then layer b: dW, dX; layer a: dW only (its input is the image)
  REQUIRE(tr.size() == 5);
  CHECK((tr[0].role == fw::GemmRole::Forward && tr[0].m == 160 && tr[0].n == 20 && tr[0].k == 30));
  CHECK((tr[1].role == fw::GemmRole::Forward && tr[1].m == 80 && tr[1].n == 7 && tr[1].k == 20));
  // dW[K×N] = Xᵀ[K×M]·dY[M×N]
  CHECK((tr[2].role == fw::GemmRole::WeightGrad && tr[2].layer == 1 && tr[2].m == 20 && tr[2].n == 7 && tr[2].k == 80));
  // dX[M×K] = dY[M×N]·Wᵀ[N×K]
  CHECK((tr[3].role == fw::GemmRole::DataGrad && tr[3].layer == 1 && tr[3].m == 80 && tr[3].n == 20 && tr[3].k == 7));
  CHECK((tr[4].role == fw::GemmRole::WeightGrad && tr[4].layer == 0 && tr[4].m == 30 && tr[4].n == 20 && tr[4].k == 160));
  // The batch must keep M within the descriptor limit.
  m.layers[0].m = 70000;
  CHECK_THROWS_AS(fw::kernel_gemms(m, fw::ProfileKernel::Train, 16), std::invalid_argument);
}

TEST_CASE("row lists take values and ranges within bounds") {
  CHECK(fw::parse_uint_list("1-3,8", "k", 1, 16) == std::vector<uint32_t>{1, 2, 3, 8});
  CHECK(fw::parse_uint_list("16", "k", 1, 16) == std::vector<uint32_t>{16});
  CHECK(fw::parse_uint_list("2,2,1-2", "k", 1, 16) == std::vector<uint32_t>{2, 1});
  CHECK_THROWS_AS(fw::parse_uint_list("0-3", "k", 1, 16), std::invalid_argument);
  CHECK_THROWS_AS(fw::parse_uint_list("17", "k", 1, 16), std::invalid_argument);
  CHECK_THROWS_AS(fw::parse_uint_list("5-3", "k", 1, 16), std::invalid_argument);
  CHECK_THROWS_AS(fw::parse_uint_list("a", "k", 1, 16), std::invalid_argument);
  CHECK_THROWS_AS(fw::parse_uint_list("", "k", 1, 16), std::invalid_argument);
}

TEST_CASE("firmware output files keep the last content and plain names only") {
  fw::FakeBoard board(0x8000'0000ull, 1 << 20);
  fw::Hal& hal = board;
  hal.write_output("profile.csv", "a\n");
  hal.write_output("profile.csv", "b\n");
  hal.write_output("x_1-2.txt", "");
  CHECK(board.outputs().size() == 2);
  CHECK(board.outputs().at("profile.csv") == "b\n");
  for (const char* bad : {"", ".hidden", "../x", "a/b", "a b", "c:\\x"})
    CHECK_THROWS_AS(hal.write_output(bad, "x"), std::invalid_argument);
}
