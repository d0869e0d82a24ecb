#include "tb/modes/layer_mode.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "hw/common/conv_geometry.hpp"
#include "hw/common/errors.hpp"
#include "hw/mac_array/systolic_array.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/layer_conv.hpp"
#include "tb/top/block_size.hpp"
#ifdef SKIPSIM_HAVE_RTL
#include "hw/rtl/rtl_mac_array.hpp"
#endif

namespace skipsim {

namespace fs = std::filesystem;

namespace {

// Verilator's VCD of the systolic array, bytes per PE per cycle (mac_array_vcd_bytes),
// measured on the 16x16 array from small layers (many PEs idle) to full ones: ws 59 to 71,
// os 66 to 106, is 42 to 72.
constexpr uint64_t kVcdBytesPerPeWs = 70, kVcdBytesPerPeOs = 100, kVcdBytesPerPeIs = 65;

// Every buffer run_layers allocates for l, against kMaxTensorBytes, before any is.
void check_layer_size(const LayerSpec& l, const LayerGeometry& g) {
  const std::string at = fmt::format("{}layer '{}'", l.where.empty() ? "" : l.where + ": ", l.name);
  const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
  const uint64_t m = u(g.m), n = u(l.num_filters);
  const uint64_t k = mul_sat(mul_sat(u(l.filter_h), u(l.filter_w)), u(l.channels));
  check_tensor_bytes(
      fmt::format("{}: ifmap {} x {} x {} (h x w x c, int8)", at, l.ifmap_h, l.ifmap_w, l.channels),
      mul_sat(mul_sat(u(l.ifmap_h), u(l.ifmap_w)), u(l.channels)));
  check_tensor_bytes(fmt::format("{}: weights {} x {} (kh*kw*c x n, int8)", at, k, n),
                     mul_sat(k, n));
  check_tensor_bytes(
      fmt::format("{}: im2col matrix {} x {} (ofmap pixels x kh*kw*c, int8)", at, m, k),
      mul_sat(m, k));
  check_tensor_bytes(fmt::format("{}: ofmap {} x {} (ofmap pixels x n, int32)", at, m, n),
                     mul_sat(mul_sat(m, n), 4));
}

}  // namespace

LayerGeometry layer_geometry(const LayerSpec& l, bool scalesim_compat) {
  LayerGeometry g;
  g.pad_h = g.pad_w = l.pad;
  // PyTorch's rule; it also keeps every padded size below 2^31 (fields have at most 9 digits).
  if (2 * static_cast<int64_t>(l.pad) > std::min(l.filter_h, l.filter_w))
    throw InputError(
        fmt::format("{}layer '{}': pad {} is more than half the filter {}x{} (allowed: 0 to {})",
                    l.where.empty() ? "" : l.where + ": ", l.name, l.pad, l.filter_h, l.filter_w,
                    std::min(l.filter_h, l.filter_w) / 2));
  const int hp = l.ifmap_h + 2 * l.pad, wp = l.ifmap_w + 2 * l.pad;
  if (l.filter_h > hp || l.filter_w > wp)
    throw InputError(fmt::format(
        "{}layer '{}': filter {}x{} does not fit the ifmap {}x{}{} (IFMAP sizes include any "
        "padding; --layer takes pad=P)",
        l.where.empty() ? "" : l.where + ": ", l.name, l.filter_h, l.filter_w, l.ifmap_h, l.ifmap_w,
        l.pad ? fmt::format(" padded by {}", l.pad) : ""));
  if (scalesim_compat) {
    g.ofmap_h = static_cast<int>(ceil_div(int64_t{hp} - l.filter_h + l.stride, l.stride));
    g.ofmap_w = static_cast<int>(ceil_div(int64_t{wp} - l.filter_w + l.stride, l.stride));
  } else {
    g.ofmap_h = conv_out_size(l.ifmap_h, l.filter_h, l.stride, l.pad);
    g.ofmap_w = conv_out_size(l.ifmap_w, l.filter_w, l.stride, l.pad);
  }
  g.m = static_cast<int64_t>(g.ofmap_h) * g.ofmap_w;
  g.n = l.num_filters;
  // Saturated: check_layer_size rejects anything near the bound.
  const auto u = [](int v) { return static_cast<uint64_t>(v); };
  g.k = static_cast<int64_t>(std::min<uint64_t>(
      mul_sat(mul_sat(u(l.filter_h), u(l.filter_w)), u(l.channels)), uint64_t{1} << 62));
  return g;
}

uint64_t mac_array_vcd_bytes(Dataflow d, int rows, int cols, uint64_t cycles) {
  const uint64_t per_pe = d == Dataflow::kOs   ? kVcdBytesPerPeOs
                          : d == Dataflow::kIs ? kVcdBytesPerPeIs
                                               : kVcdBytesPerPeWs;
  return cycles * static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols) * per_pe;
}

std::vector<LayerResult> run_layers(const LayerModeOptions& opt,
                                    const std::vector<LayerSpec>& layers) {
  uint64_t vcd_bytes = 0;
  size_t max_a = 0, max_b = 0, max_out = 0, max_ifmap = 0, max_k = 0, max_n = 0;
  for (const LayerSpec& l : layers) {  // all valid first
    const LayerGeometry g = layer_geometry(l, opt.scalesim_compat);
    check_layer_size(l, g);
    max_a = std::max(max_a, static_cast<size_t>(g.m * g.k));
    max_b = std::max(max_b, static_cast<size_t>(g.k * g.n));
    max_out = std::max(max_out, static_cast<size_t>(g.m * g.n));
    max_ifmap = std::max(max_ifmap, static_cast<size_t>(l.ifmap_h) * l.ifmap_w * l.channels);
    max_k = std::max(max_k, static_cast<size_t>(g.k));
    max_n = std::max(max_n, static_cast<size_t>(g.n));
    vcd_bytes += mac_array_vcd_bytes(
        opt.dataflow, opt.rows, opt.cols,
        skipsim_closed_form_cycles(opt.dataflow, opt.rows, opt.cols, g.m, g.n, g.k));
  }
  if (opt.cosim_mac_array && !opt.rtl_vcd.empty() && opt.vcd_max_mb > 0 &&
      static_cast<double>(vcd_bytes) > opt.vcd_max_mb * 1e6)
    throw InputError(fmt::format(
        "--vcd '{}': the array's VCD would take about {:.{}f} MB over {} layer(s), above the {:g} "
        "MB limit; trace fewer or smaller layers, or raise --vcd-max-mb (0 = no limit)",
        opt.rtl_vcd, vcd_bytes / 1e6,
        vcd_bytes >= 100e6 ? 0
        : vcd_bytes >= 1e6 ? 1
                           : 3,
        layers.size(), opt.vcd_max_mb));
  if (opt.cosim_mac_array) {
#ifdef SKIPSIM_HAVE_RTL
    if (opt.scalesim_compat)
      throw InputError(
          "--cosim mac_array: SCALE-Sim compat mode is an accounting mode with no RTL "
          "counterpart; drop --scalesim-compat / hardware.mac_array.scalesim_compat");
    make_builtin_mac_array(opt.rows, opt.cols, opt.dataflow);  // the size error, up front
#else
    throw InputError("--cosim mac_array: skipsim was built without RTL (-DSKIPSIM_RTL=OFF)");
#endif
  }
  std::vector<LayerResult> results;
  SystolicArray array(opt.rows, opt.cols, opt.dataflow, opt.scalesim_compat,
                      opt.cosim_mac_array ? ArrayModel::kPe : opt.model);
  // Buffers reused by every layer: allocated (and their pages mapped) once.
  std::vector<int8_t> a, b;
  std::vector<int32_t> out;
  out.reserve(max_out);
  LayerData d;
  if (opt.real_data) {
    a.reserve(max_a), b.reserve(max_b);
    d.ifmap.reserve(max_ifmap), d.weight.reserve(max_b), d.bias.reserve(max_n);
  }
  DirectConvScratch check;
  if (opt.real_data && opt.check)
    check.wr.reserve(max_b), check.win.reserve(max_k), check.acc.reserve(max_n);
  for (size_t li = 0; li < layers.size(); ++li) {
    const LayerSpec& l = layers[li];
    const auto start = std::chrono::steady_clock::now();
    LayerResult r;
    r.spec = l;
    r.geo = layer_geometry(l, opt.scalesim_compat);
    const LayerGeometry& g = r.geo;
    const int C = l.channels;
    // Real data writes every element of a, b (and the array every output): no zero-fill.
    if (opt.real_data) {
      a.resize(static_cast<size_t>(g.m * g.k));
      b.resize(static_cast<size_t>(g.k * g.n));
      make_layer_data(l, opt.seed + li, d);
      layer_im2col(l, g, d, a.data(), b.data());
    } else {
      a.assign(static_cast<size_t>(g.m * g.k), 0);
      b.assign(static_cast<size_t>(g.k * g.n), 0);
    }
    out.resize(static_cast<size_t>(g.m * g.n));  // the array writes all of it
    SystolicStats st;
    if (opt.cosim_mac_array) {
#ifdef SKIPSIM_HAVE_RTL
      GemmOperands go;
      go.m = g.m, go.n = g.n, go.k = g.k;
      go.a = a.data(), go.a_si = g.k, go.a_sj = 1;
      go.b = b.data(), go.b_si = g.n, go.b_sj = 1;
      go.bias = opt.real_data ? d.bias.data() : nullptr;
      go.out = out.data();
      auto rtl = make_builtin_mac_array(opt.rows, opt.cols, opt.dataflow);
      if (!opt.rtl_vcd.empty()) {
        fs::path vcd(opt.rtl_vcd);
        if (li > 0)
          vcd.replace_filename(vcd.stem().string() + "." + l.name + vcd.extension().string());
        rtl->open_vcd(vcd.string());
      }
      const MacArrayLockstep ls = run_lockstep(array, *rtl, go);
      st = array.stats();
      r.cosim = ls.equal() && ls.rtl_out == out ? "equal" : "mismatch";
      r.cosim_compared_cycles = ls.cycles;
      if (!ls.equal())
        r.cosim_first_mismatch = describe(*ls.mismatch);
      else if (ls.rtl_out != out)
        r.cosim_first_mismatch = "the GEMM result rebuilt from the RTL's pins differs";
#endif
    } else {
      st = array.run_gemm(g.m, g.n, g.k, a.data(), b.data(),
                          opt.real_data ? d.bias.data() : nullptr, out.data());
    }
    r.cycles = st.cycles;
    r.closed_form_cycles =
        opt.scalesim_compat
            ? scalesim_closed_form_cycles(opt.dataflow, opt.rows, opt.cols, g.m, g.n, g.k)
            : skipsim_closed_form_cycles(opt.dataflow, opt.rows, opt.cols, g.m, g.n, g.k);
    r.folds = st.folds;
    r.useful_macs = st.useful_macs;
    r.utilization = st.utilization(opt.rows, opt.cols);
    r.mapping_efficiency = st.mapping_efficiency;
    r.sram_ifmap_reads = st.ifmap_reads;
    r.sram_filter_reads = st.filter_reads;
    r.sram_ofmap_writes = st.ofmap_writes;
    r.sram_ofmap_reads = st.ofmap_reads;
    r.dram_ifmap_bytes = static_cast<uint64_t>(l.ifmap_h) * l.ifmap_w * C;
    r.dram_filter_bytes = static_cast<uint64_t>(g.k) * g.n;
    r.dram_ofmap_bytes = static_cast<uint64_t>(g.m) * g.n;
    const EnergyConfig& en = opt.energy;
    r.energy_mac_pj = static_cast<double>(r.useful_macs) * en.mac_pj;
    r.energy_sram_pj =
        static_cast<double>(r.sram_ifmap_reads + r.sram_filter_reads + 4 * r.sram_ofmap_reads) *
            en.sram_read_pj_per_byte +
        static_cast<double>(4 * r.sram_ofmap_writes) * en.sram_write_pj_per_byte;
    r.energy_dram_pj =
        static_cast<double>(r.dram_ifmap_bytes + r.dram_filter_bytes + r.dram_ofmap_bytes) *
        en.dram_pj_per_byte;
    if (opt.real_data && opt.check)
      r.check = matches_direct_conv(l, g, d, out.data(), check) ? "pass" : "fail";
    if (opt.keep_outputs) r.output = out;
    r.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(std::move(r));
  }
  return results;
}

nlohmann::json layer_results_json(const LayerModeOptions& opt,
                                  const std::vector<LayerResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const LayerResult& r : results) {
    const LayerSpec& l = r.spec;
    list.push_back({
        {"name", l.name},
        {"cycles", r.cycles},
        {"closed_form_cycles", r.closed_form_cycles},
        {"dataflow", dataflow_name(opt.dataflow)},
        {"array", {{"rows", opt.rows}, {"cols", opt.cols}}},
        {"scalesim_compat", opt.scalesim_compat},
        {"mac_array_model",
         std::string(enum_name(opt.cosim_mac_array ? ArrayModel::kPe : opt.model))},
        {"ifmap", {{"h", l.ifmap_h}, {"w", l.ifmap_w}, {"c", l.channels}}},
        {"filter", {{"h", l.filter_h}, {"w", l.filter_w}, {"n", l.num_filters}}},
        {"stride", l.stride},
        {"padding", {{"h", r.geo.pad_h}, {"w", r.geo.pad_w}}},
        {"ofmap", {{"h", r.geo.ofmap_h}, {"w", r.geo.ofmap_w}, {"c", l.num_filters}}},
        {"ofmap_h", r.geo.ofmap_h},
        {"ofmap_w", r.geo.ofmap_w},
        {"gemm", {{"m", r.geo.m}, {"n", r.geo.n}, {"k", r.geo.k}}},
        {"folds", r.folds},
        {"useful_macs", r.useful_macs},
        {"overall_utilization_pct", 100.0 * r.utilization},
        {"mapping_efficiency_pct", 100.0 * r.mapping_efficiency},
        {"sram",
         {{"ifmap_reads", r.sram_ifmap_reads},
          {"filter_reads", r.sram_filter_reads},
          {"ofmap_reads", r.sram_ofmap_reads},
          {"ofmap_writes", r.sram_ofmap_writes}}},
        {"dram",
         {{"ifmap_bytes_read", r.dram_ifmap_bytes},
          {"filter_bytes_read", r.dram_filter_bytes},
          {"ofmap_bytes_written", r.dram_ofmap_bytes}}},
        {"energy_pj",
         {{"mac", r.energy_mac_pj},
          {"sram", r.energy_sram_pj},
          {"dram", r.energy_dram_pj},
          {"total", r.energy_pj()}}},
        {"check", r.check},
        {"sim_seconds", r.sim_seconds},
    });
    if (r.cosim != "off") {
      nlohmann::json c = {{"module", "mac_array"},
                          {"equal", r.cosim == "equal"},
                          {"compared_cycles", r.cosim_compared_cycles}};
      if (!r.cosim_first_mismatch.empty()) c["first_mismatch"] = r.cosim_first_mismatch;
      list.back()["cosim"] = c;
    }
  }
  return list;
}

std::string layer_results_table(const LayerModeOptions& opt,
                                const std::vector<LayerResult>& results) {
  std::string s =
      fmt::format("{}x{} array, dataflow {}, {}\n", opt.rows, opt.cols, dataflow_name(opt.dataflow),
                  opt.scalesim_compat ? "SCALE-Sim compat (serialized folds, last cycle index)"
                  : opt.dataflow == Dataflow::kOs
                      ? "os: results drained every fold"
                      : fmt::format("{} folds overlapped (double-buffered stationary operands)",
                                    dataflow_name(opt.dataflow)));
  s += fmt::format(
      "{:<14} {:>9} {:>7} {:>6} {:>6} {:>6} {:>12} {:>12} {:>7} {:>7} {:>12} {:>12} "
      "{:>12} {:>10} {:>10} {:>5}\n",
      "layer", "ofmap", "M", "N", "K", "folds", "cycles", "closed form", "util%", "map%",
      "sram ifm rd", "sram flt rd", "sram ofm wr", "dram KiB", "energy uJ", "check");
  uint64_t cycles = 0, macs = 0, dram = 0;
  double energy = 0;
  for (const LayerResult& r : results) {
    const uint64_t d = r.dram_ifmap_bytes + r.dram_filter_bytes + r.dram_ofmap_bytes;
    s += fmt::format(
        "{:<14} {:>9} {:>7} {:>6} {:>6} {:>6} {:>12} {:>12} {:>7.2f} {:>7.2f} {:>12} {:>12} "
        "{:>12} {:>10.1f} {:>10.2f} {:>5}\n",
        r.spec.name, fmt::format("{}x{}", r.geo.ofmap_h, r.geo.ofmap_w), r.geo.m, r.geo.n, r.geo.k,
        r.folds, r.cycles, r.closed_form_cycles, 100.0 * r.utilization,
        100.0 * r.mapping_efficiency, r.sram_ifmap_reads, r.sram_filter_reads, r.sram_ofmap_writes,
        d / 1024.0, r.energy_pj() * 1e-6, r.check);
    energy += r.energy_pj();
    cycles += r.cycles;
    macs += r.useful_macs;
    dram += d;
  }
  const double util =
      cycles ? static_cast<double>(macs) / (static_cast<double>(opt.rows) * opt.cols * cycles)
             : 0.0;
  s += fmt::format(
      "{:<14} {:>9} {:>7} {:>6} {:>6} {:>6} {:>12} {:>12} {:>7.2f} {:>7} {:>12} "
      "{:>12} {:>12} {:>10.1f} {:>10.2f}\n",
      "total", "", "", "", "", "", cycles, "", 100.0 * util, "", "", "", "", dram / 1024.0,
      energy * 1e-6);
  return s;
}

}  // namespace skipsim
