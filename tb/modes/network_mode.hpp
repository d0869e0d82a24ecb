#pragma once
// skipsim network: a whole network block by block. The golden forward pass computes every
// block's input; then each residual block is simulated in its own child process (`skipsim
// run` on that block's tensors, checked bit-exact against the golden model), in parallel,
// and the per-block reports are gathered into one network report.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace skipsim {

struct NetworkOptions {
  std::string model;  // built-in name, or empty with onnx
  std::string onnx;   // ONNX file, or empty
  int h = 224, w = 224;
  std::string image;   // an int8 H x W x 3 .npy image instead of the random one, or empty
  std::string config;  // hardware (and sim) configuration; its workload is replaced per block
  std::vector<std::string> sets;
  // RANGE of two or more residual blocks run once more fused into one pipeline; empty = none.
  std::string fused;
  std::string blocks;  // RANGE: "NAME", "FIRST:LAST" (names or 0-based indices); empty = all
  int jobs = 0;        // parallel children; 0 = all cores
  bool find_depth = false;
  double tolerance = 0.001;
  // true: every block's skip FIFO can hold its whole skip tensor, so max_occupancy is what
  // the block needs; false: the configured hardware.skip_fifo.depth.
  bool unbounded_fifo = true;
  std::string dump_tensors;  // DIR/<block>/ with the block's tensors, or empty
  std::string vcd_block, vcd;
  uint64_t seed = 1;
  bool progress = false;
  // Finished blocks are saved here as they finish (one JSON line each) and taken from here
  // by a rerun with the same options; empty = not saved.
  std::string journal;
};

struct Network;
// The first line of opt.journal: everything the saved results depend on. A journal with
// another header is started afresh.
nlohmann::json network_journal_header(const NetworkOptions& opt, const Network& net);

// The report (README "skipsim network" documents every key). Throws InputError for bad input.
nlohmann::json run_network(const NetworkOptions& opt);

// One row per block (the CSV and the printed table take the same columns).
std::string network_csv(const nlohmann::json& report);
std::string network_table(const nlohmann::json& report);

}  // namespace skipsim
