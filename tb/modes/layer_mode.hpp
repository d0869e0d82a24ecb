#pragma once
// Layer mode: conv layers run one by one as GEMMs on the systolic array
// (M = Eh*Ew output pixels, N filters, K = kh*kw*C), with seeded random int8 data checked
// bit for bit against a direct convolution, reporting per layer the cycles, utilization,
// mapping efficiency, SRAM accesses and DRAM traffic.
//
// Geometry: a layer's IFMAP sizes mean the same in both modes. They are SCALE-Sim's, so a
// topology CSV's sizes already include the padding and nothing is added; `--layer ...,pad=P`
// adds P zeros on each side (Hp = H + 2P). With scalesim_compat E = ceil((Hp - k + s)/s)
// (SCALE-Sim's formula; a window running past the far edge reads zeros); otherwise
// E = floor((Hp - k)/s) + 1. The two agree whenever s divides Hp - k.
// DRAM model: every operand crosses the DRAM interface exactly once (the SRAMs are assumed
// to hold a layer): ifmap H*W*C bytes and filters kh*kw*C*N bytes read, the ofmap Eh*Ew*N
// bytes written (int8 after requantization).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw/mac_array/dataflow.hpp"
#include "tb/config/config.hpp"

namespace skipsim {

struct LayerSpec {
  std::string name;
  int ifmap_h = 0, ifmap_w = 0;
  int filter_h = 0, filter_w = 0;
  int channels = 0, num_filters = 0;
  int stride = 1;
  int pad = 0;        // zeros added on each side (--layer pad=P; never from a CSV)
  std::string where;  // "file:line" or the --layer argument, for messages
};

struct LayerModeOptions {
  int rows = 32, cols = 32;
  Dataflow dataflow = Dataflow::kWs;
  bool scalesim_compat = false;
  ArrayModel model = ArrayModel::kTile;  // kPe always with cosim_mac_array
  bool real_data = true;                 // false: all-zero operands (timing only, no check)
  bool check = true;                     // compare with a direct convolution (needs real_data)
  bool keep_outputs = false;             // keep the raw int32 outputs in LayerResult::output
  uint64_t seed = 1;
  EnergyConfig energy;  // hardware.energy
  // Runs every GEMM on the Verilated systolic array too, in lock-step with the C++ one
  // (hw/rtl/rtl_mac_array.hpp; not in compat mode). rtl_vcd: Verilator's VCD of the array,
  // PATH for the first layer, PATH with ".<layer>" before its extension for the others.
  bool cosim_mac_array = false;
  std::string rtl_vcd;
  // Refuse rtl_vcd when the files are estimated above this (mac_array_vcd_bytes); 0 = no limit.
  double vcd_max_mb = 500;
};

// Estimated size of Verilator's VCD of the R x C array over `cycles` cycles: every PE's
// registers and the wires between them change about once a cycle while data streams.
uint64_t mac_array_vcd_bytes(Dataflow d, int rows, int cols, uint64_t cycles);

struct LayerGeometry {
  int pad_h = 0, pad_w = 0;
  int ofmap_h = 0, ofmap_w = 0;
  int64_t m = 0, n = 0, k = 0;  // GEMM
};

// Throws InputError (naming LayerSpec::where) when the filter does not fit the (padded) input.
LayerGeometry layer_geometry(const LayerSpec& l, bool scalesim_compat);

// Seeded random layer data: ifmap int8 H x W x C, weight int8 N x C x kh x kw (PyTorch order),
// bias int32 N (small, |b| < 2^10).
struct LayerData {
  std::vector<int8_t> ifmap, weight;
  std::vector<int32_t> bias;
};
LayerData make_layer_data(const LayerSpec& l, uint64_t seed);
// The same into d, reusing its buffers.
void make_layer_data(const LayerSpec& l, uint64_t seed, LayerData& d);

struct LayerResult {
  LayerSpec spec;
  LayerGeometry geo;
  uint64_t cycles = 0;              // compat: SCALE-Sim's total (last cycle index)
  uint64_t closed_form_cycles = 0;  // scalesim_closed_form_cycles or skipsim_closed_form_cycles
  uint64_t folds = 0;
  double utilization = 0;         // useful MACs / (R * C * cycles)
  double mapping_efficiency = 0;  // used PEs / (R * C), averaged over folds
  uint64_t useful_macs = 0;
  uint64_t sram_ifmap_reads = 0, sram_filter_reads = 0;
  uint64_t sram_ofmap_writes = 0, sram_ofmap_reads = 0;
  uint64_t dram_ifmap_bytes = 0, dram_filter_bytes = 0, dram_ofmap_bytes = 0;
  // pJ: MACs, SRAM (int8 operands 1 B, int32 partial sums 4 B), DRAM bytes.
  double energy_mac_pj = 0, energy_sram_pj = 0, energy_dram_pj = 0;
  double energy_pj() const { return energy_mac_pj + energy_sram_pj + energy_dram_pj; }
  std::string check = "off";  // "pass", "fail", "off"
  std::string cosim = "off";  // "equal", "mismatch", "off"
  uint64_t cosim_compared_cycles = 0;
  std::string cosim_first_mismatch;  // cycle, column, pin, both values
  double sim_seconds = 0;
  std::vector<int32_t> output;  // Eh x Ew x N raw accumulators, when keep_outputs
};

// Checks every layer's geometry before running the first.
std::vector<LayerResult> run_layers(const LayerModeOptions& opt,
                                    const std::vector<LayerSpec>& layers);

// SCALE-Sim's topology CSV: a header `Layer name, IFMAP Height, IFMAP Width, Filter Height,
// Filter Width, Channels, Num Filter, Strides,` then one layer per line; spaces around cells
// and trailing empty cells are ignored. Errors name source:line and the column.
std::vector<LayerSpec> parse_topology_csv(const std::string& text, const std::string& source);
std::vector<LayerSpec> read_topology_csv(const std::string& path);

// "name=conv1,h=56,w=56,kh=3,kw=3,c=64,n=64,stride=1,pad=1": h, c, n and kh are required,
// w defaults to h, kw to kh, stride to 1, pad to 0, name to `default_name`.
LayerSpec parse_layer_arg(const std::string& arg, const std::string& default_name);

nlohmann::json layer_results_json(const LayerModeOptions& opt,
                                  const std::vector<LayerResult>& results);
std::string layer_results_table(const LayerModeOptions& opt,
                                const std::vector<LayerResult>& results);

}  // namespace skipsim
