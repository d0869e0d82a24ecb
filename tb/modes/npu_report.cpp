#include "tb/modes/npu_report.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "hw/dma/dma_engine.hpp"
#include "tb/modes/npu_mode.hpp"

namespace skipsim {

double npu_peak_ops_per_cycle(const Config& cfg) {
  return 2.0 * cfg.hardware.mac_array.rows * cfg.hardware.mac_array.cols;
}

double npu_dram_bytes_per_cycle(const Config& cfg) {
  const DramConfig& d = cfg.hardware.dram;
  const double gbps =
      d.model == DramModel::kDdr ? d.ddr.peak_gbytes_per_s() : d.bytes_per_cycle * d.clock_ghz;
  return gbps / cfg.hardware.clock_ghz;
}

double npu_sram_bytes_per_cycle(const Config& cfg) {
  const SramConfig& s = cfg.hardware.sram;
  return static_cast<double>(s.banks) * s.width_bytes * (s.dual_port ? 2 : 1);
}

namespace {

const char* op_kind(NpuOpType t) {
  switch (t) {
    case NpuOpType::kConv:
      return "conv";
    case NpuOpType::kAdd:
      return "add";
    case NpuOpType::kFc:
      return "fc";
    default:
      return "pool";
  }
}

nlohmann::json intensity(uint64_t ops, uint64_t bytes) {
  if (bytes == 0) return nullptr;
  return static_cast<double>(ops) / static_cast<double>(bytes);
}

// The skip tensors as stored (npu.skip_compression): raw vs stored bytes, the DRAM bytes
// they moved, and with compression what it saved against the same plan with them raw.
void report_skip_storage(const NpuProgram& prog, const SramPlan& plan, const NpuRunFacts& facts,
                         nlohmann::json& rep) {
  uint64_t raw = 0, stored = 0, spilled = 0, filled = 0, planned = 0, planned_raw = 0;
  for (size_t t = 0; t < prog.skip.size(); ++t) {
    if (!prog.skip[t]) continue;
    raw += prog.values[t].size();
    stored += prog.graph.tensors[t].bytes;
    if (t < facts.tensor_spilled.size()) {
      spilled += facts.tensor_spilled[t];
      filled += facts.tensor_filled[t];
    }
    planned += plan.tensors[t].spilled_bytes + plan.tensors[t].filled_bytes;
    if (facts.raw_plan)
      planned_raw +=
          facts.raw_plan->tensors[t].spilled_bytes + facts.raw_plan->tensors[t].filled_bytes;
  }
  rep["skip_raw_bytes"] = raw;
  rep["skip_compressed_bytes"] = stored;
  rep["skip_compression_ratio"] = stored ? static_cast<double>(raw) / stored : 1.0;
  rep["skip_dram_spill_bytes"] = spilled;
  rep["skip_dram_fill_bytes"] = filled;
  if (!facts.raw_plan) return;
  const SramPlan& r = *facts.raw_plan;
  nlohmann::json s;
  s["sram_peak_live_bytes_raw"] = r.sram_peak_live_bytes;
  s["sram_peak_live_bytes"] = plan.sram_peak_live_bytes;
  s["liveness_peak_bytes_raw"] = r.liveness_peak_bytes;
  s["liveness_peak_bytes"] = plan.liveness_peak_bytes;
  s["spill_fill_bytes_raw"] = r.spill_bytes + r.fill_bytes;
  s["spill_fill_bytes"] = plan.spill_bytes + plan.fill_bytes;
  s["skip_spill_fill_bytes_raw"] = planned_raw;
  s["skip_spill_fill_bytes"] = planned;
  rep["skip_compression_saving"] = s;
}

}  // namespace

nlohmann::json npu_report(const Config& cfg, const NpuProgram& prog, const SramPlan& plan,
                          const std::vector<std::pair<int, int>>& pass_ops,
                          const std::vector<nlohmann::json>& results, const NpuRunFacts& facts,
                          std::pair<int, int> input_hw) {
  const size_t nops = prog.ops.size();
  const double peak = npu_peak_ops_per_cycle(cfg), dram_bpc = npu_dram_bytes_per_cycle(cfg),
               sram_bpc = npu_sram_bytes_per_cycle(cfg);
  const char* purposes[] = {"weights", "input", "output", "spill", "fill"};

  // Per op: the sums over its passes; when each pass and op started.
  struct OpSum {
    uint64_t cycles = 0, mac_busy = 0, sram = 0, mismatches = 0;
    uint64_t conflicts = 0;
    uint64_t compute = 0;  // until the output was written (then: waiting for transfers)
    std::map<std::string, uint64_t> dram;
    uint64_t start = 0, first_write = 0, last_read = 0;
    int passes = 0;
    bool transfers_ok = true;
  };
  std::vector<OpSum> s(nops);
  // A pass that prefetches the next pass's weights runs on, after its output is written,
  // until they have landed: that tail is the next pass waiting for its weights, and the
  // bytes are its traffic (an add's roofline would otherwise carry the next conv's weights).
  std::vector<uint64_t> tail(results.size(), 0), prefetched(results.size(), 0);
  for (size_t i = 0; i + 1 < results.size(); ++i) {
    const nlohmann::json& r = results[i];
    prefetched[i] = r.value("prefetched_weight_bytes", uint64_t{0});
    if (prefetched[i] == 0) continue;
    const uint64_t c = r.at("cycles").get<uint64_t>();
    const uint64_t done = r.at("output_done_cycle").get<uint64_t>();
    tail[i] = done && done < c ? c - done : 0;
  }
  uint64_t now = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const auto [k, p] = pass_ops[i];
    const nlohmann::json& r = results[i];
    OpSum& o = s[static_cast<size_t>(k)];
    const uint64_t before = i ? tail[i - 1] : 0;  // waiting for this pass's own weights
    if (p == 0) o.start = now;
    const uint64_t c = r.at("cycles").get<uint64_t>();
    const uint64_t fw = r.at("first_write_cycle").get<uint64_t>();
    const uint64_t lr = r.at("last_read_cycle").get<uint64_t>();
    if (p == 0) o.first_write = now + before + (fw ? fw - 1 : 0);
    o.last_read = now + before + (lr ? lr - 1 : c - 1);
    const uint64_t span = before + c - tail[i];
    o.cycles += span;
    o.compute += std::min(c, r.at("output_done_cycle").get<uint64_t>());
    o.mac_busy += r.at("mac_busy_cycles").get<uint64_t>();
    // The prefetch's SRAM writes: counted where the weights are used (the engine's preloaded
    // weight buffer counts them as written).
    o.sram += r.at("sram_bytes").get<uint64_t>() - prefetched[i];
    o.conflicts += r.at("sram_conflicts").get<uint64_t>();
    o.mismatches += r.at("mismatches").get<uint64_t>();
    o.transfers_ok = o.transfers_ok && r.at("transfers_match").get<bool>();
    for (const char* pu : purposes) o.dram[pu] += r.at("dram").at(pu).get<uint64_t>();
    o.dram["weights"] += (i ? prefetched[i - 1] : 0);
    o.dram["weights"] -= prefetched[i];
    ++o.passes;
    now += span;
  }
  const uint64_t total = now;

  nlohmann::json rep;
  rep["model"] = prog.model;
  rep["input"] = {{"h", input_hw.first}, {"w", input_hw.second}};
  const auto& hw = cfg.hardware;
  rep["hardware"] = {{"mac_rows", hw.mac_array.rows},
                     {"mac_cols", hw.mac_array.cols},
                     {"dataflow", enum_name(hw.mac_array.dataflow)},
                     {"lanes", hw.stream.lanes},
                     {"vector_ops_per_cycle", hw.stream.lanes},
                     {"sram_bytes", static_cast<uint64_t>(hw.sram.banks) * hw.sram.bank_bytes},
                     {"clock_ghz", hw.clock_ghz},
                     {"peak_ops_per_cycle", peak},
                     {"dram_bytes_per_cycle", dram_bpc},
                     {"sram_bytes_per_cycle", sram_bpc}};
  rep["npu"] = {{"allocator", enum_name(cfg.npu.allocator)},
                {"spill", enum_name(cfg.npu.spill)},
                {"fuse_add", cfg.npu.fuse_add},
                {"prefetch_fills", cfg.npu.prefetch_fills},
                {"weight_prefetch", cfg.npu.weight_prefetch},
                {"skip_compression", enum_name(cfg.npu.skip_compression)},
                {"activation_bytes", facts.arena_bytes},
                {"weight_buffer_bytes", cfg.npu.weight_buffer_bytes}};

  nlohmann::json ops = nlohmann::json::array();
  uint64_t mac_busy = 0, add_cycles = 0, mismatches = 0;
  bool transfers_ok = true;
  std::map<std::string, uint64_t> dram;
  for (size_t k = 0; k < nops; ++k) {
    const NpuProgramOp& op = prog.ops[k];
    const OpSum& o = s[k];
    uint64_t db = 0;
    for (const auto& [pu, b] : o.dram) {
      db += b;
      dram[pu] += b;
    }
    const nlohmann::json ai = intensity(op.ops, db), si = intensity(op.ops, o.sram);
    double roof = peak;
    std::string level = "compute";
    if (!ai.is_null() && ai.get<double>() * dram_bpc < roof) {
      roof = ai.get<double>() * dram_bpc;
      level = "dram";
    }
    if (!si.is_null() && si.get<double>() * sram_bpc < roof) {
      roof = si.get<double>() * sram_bpc;
      level = "sram";
    }
    nlohmann::json e;
    e["name"] = op.name;
    e["type"] = op_kind(op.type);
    e["block"] = op.block;
    e["fused_add"] = op.fused_add.has_value();
    e["cycles"] = o.cycles;
    e["first_cycle"] = o.start;
    e["last_cycle"] = o.start + (o.cycles ? o.cycles - 1 : 0);
    e["ops"] = op.ops;
    e["macs"] = op.macs;
    e["dram_bytes"] = db;
    e["dram"] = o.dram;
    e["sram_bytes"] = o.sram;
    e["sram_conflicts"] = o.conflicts;  // bank-port claims refused (each costs a cycle)
    e["arithmetic_intensity"] = ai;
    e["sram_intensity"] = si;
    e["attained_ops_per_cycle"] = o.cycles ? static_cast<double>(op.ops) / o.cycles : 0.0;
    e["roof_ops_per_cycle"] = roof;
    e["bound"] = level == "compute" ? "compute" : "memory";
    e["bound_level"] = level;
    e["mac_busy_cycles"] = o.mac_busy;
    e["output_cycles"] = o.compute;
    e["transfer_wait_cycles"] = o.cycles - o.compute;
    e["mac_utilization"] = o.cycles ? static_cast<double>(op.macs) / (peak / 2 * o.cycles) : 0.0;
    e["passes"] = o.passes;
    e["weight_bytes"] = op.weight_bytes;
    e["matches_golden"] = o.mismatches == 0;
    ops.push_back(e);
    mac_busy += o.mac_busy;
    if (op.type == NpuOpType::kAdd) add_cycles += o.compute;
    mismatches += o.mismatches;
    transfers_ok = transfers_ok && o.transfers_ok;
  }

  nlohmann::json tensors = nlohmann::json::array();
  for (size_t t = 0; t < prog.graph.tensors.size(); ++t) {
    const NpuTensor& nt = prog.graph.tensors[t];
    const TensorPlan& tp = plan.tensors[t];
    nlohmann::json e;
    e["name"] = nt.name;
    e["bytes"] = prog.values[t].size();  // raw
    e["stored_bytes"] = nt.bytes;        // as SRAM and DRAM hold it
    e["compressed"] = prog.compressed(static_cast<int>(t));
    const uint64_t first = nt.producer >= 0 ? s[static_cast<size_t>(nt.producer)].first_write : 0;
    uint64_t last = first;
    for (int c : nt.consumers) last = std::max(last, s[static_cast<size_t>(c)].last_read);
    if (nt.consumers.empty() && nt.producer >= 0)
      last = s[static_cast<size_t>(nt.producer)].start +
             s[static_cast<size_t>(nt.producer)].cycles - 1;
    e["first_cycle"] = first;
    e["last_cycle"] = last;
    e["lifetime_cycles"] = last - first + 1;
    e["first_op"] = tp.first_op;
    e["last_op"] = tp.last_op;
    e["dram"] = tp.dram;
    e["sram_offset"] = tp.dram ? nlohmann::json(nullptr) : nlohmann::json(tp.sram_offset);
    e["spilled_bytes"] = tp.spilled_bytes;
    e["filled_bytes"] = tp.filled_bytes;
    e["skip"] = static_cast<bool>(prog.skip[t]);
    if (prog.skip[t]) {
      e["raw_bytes"] = prog.values[t].size();
      e["compressed_bytes"] = nt.bytes;
    }
    if (t < facts.tensor_spilled.size()) {
      e["dram_spilled_bytes"] = facts.tensor_spilled[t];
      e["dram_filled_bytes"] = facts.tensor_filled[t];
    }
    tensors.push_back(e);
  }

  rep["cycles"] = total;
  rep["mac_busy_cycles"] = mac_busy;
  rep["mac_idle_cycles"] = total - std::min(total, mac_busy);
  rep["add_cycles"] = add_cycles;
  // The array has nothing to do while an add runs (until its output is written; what the op
  // then waits for, the next op's weights or a spill, is the op's transfer_wait_cycles).
  rep["mac_idle_cycles_in_adds"] = add_cycles;
  rep["sram_peak_live_bytes"] = plan.sram_peak_live_bytes;
  rep["liveness_peak_bytes"] = plan.liveness_peak_bytes;
  rep["max_live_activation_tensors"] = plan.max_live_activation_tensors;
  rep["max_resident_tensors"] = plan.max_resident_tensors;
  rep["sram_arena_bytes"] = plan.sram_arena_bytes;
  rep["spill_bytes"] = plan.spill_bytes;  // streamed bytes included
  rep["fill_bytes"] = plan.fill_bytes;
  rep["stream_out_bytes"] = plan.stream_out_bytes;
  rep["stream_in_bytes"] = plan.stream_in_bytes;
  rep["load_bytes"] = plan.load_bytes;
  uint64_t dram_total = 0;
  for (const auto& [pu, b] : dram) dram_total += b;
  nlohmann::json d = dram;
  d["total"] = dram_total;
  rep["dram"] = d;
  uint64_t skip_bytes = 0;
  for (size_t t = 0; t < prog.skip.size(); ++t)
    if (prog.skip[t]) skip_bytes = std::max<uint64_t>(skip_bytes, prog.values[t].size());
  rep["skip_tensor_bytes_max"] = skip_bytes;
  report_skip_storage(prog, plan, facts, rep);
  rep["golden"] = {{"checked", true},
                   {"match", mismatches == 0 && transfers_ok},
                   {"mismatches", mismatches},
                   {"transfers_match", transfers_ok}};
  if (!prog.logits.empty()) rep["logits"] = prog.logits.size();
  rep["ops"] = ops;
  rep["tensors"] = tensors;
  rep["simulations"] = facts.simulations;
  rep["wall_seconds"] = facts.wall_seconds;
  return rep;
}

std::string npu_csv(const nlohmann::json& r) {
  std::ostringstream o;
  o << "name,type,block,first_cycle,cycles,ops,dram_bytes,sram_bytes,arithmetic_intensity,"
       "sram_intensity,attained_ops_per_cycle,roof_ops_per_cycle,bound,mac_busy_cycles,passes\n";
  auto num = [](const nlohmann::json& v) {
    return v.is_null() ? std::string() : fmt::format("{:.6g}", v.get<double>());
  };
  for (const auto& e : r.at("ops"))
    o << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", e["name"].get<std::string>(),
                     e["type"].get<std::string>(), e["block"].get<std::string>(),
                     e["first_cycle"].get<uint64_t>(), e["cycles"].get<uint64_t>(),
                     e["ops"].get<uint64_t>(), e["dram_bytes"].get<uint64_t>(),
                     e["sram_bytes"].get<uint64_t>(), num(e["arithmetic_intensity"]),
                     num(e["sram_intensity"]), num(e["attained_ops_per_cycle"]),
                     num(e["roof_ops_per_cycle"]), e["bound"].get<std::string>(),
                     e["mac_busy_cycles"].get<uint64_t>(), e["passes"].get<int>());
  return o.str();
}

std::string npu_table(const nlohmann::json& r) {
  std::ostringstream o;
  const auto& d = r.at("dram");
  o << fmt::format(
      "{} layer by layer ({} allocator, {} ops, add {}): {} cycles, MAC idle {:.1f}%\n",
      r.at("model").get<std::string>(), r.at("npu").at("allocator").get<std::string>(),
      r.at("ops").size(), r.at("npu").at("fuse_add").get<bool>() ? "fused" : "on the vector unit",
      r.at("cycles").get<uint64_t>(),
      100.0 * r.at("mac_idle_cycles").get<double>() /
          std::max<double>(1, r.at("cycles").get<double>()));
  o << fmt::format(
      "SRAM: {} B for activations, peak live {} B, at most {} live tensors; spill {} B, fill {} "
      "B\n",
      r.at("npu").at("activation_bytes").get<uint64_t>(),
      r.at("sram_peak_live_bytes").get<uint64_t>(), r.at("max_live_activation_tensors").get<int>(),
      r.at("spill_bytes").get<uint64_t>(), r.at("fill_bytes").get<uint64_t>());
  o << fmt::format("DRAM: {} B (weights {}, input {}, output {}, spill {}, fill {})\n",
                   d.at("total").get<uint64_t>(), d.at("weights").get<uint64_t>(),
                   d.at("input").get<uint64_t>(), d.at("output").get<uint64_t>(),
                   d.at("spill").get<uint64_t>(), d.at("fill").get<uint64_t>());
  if (r.contains("skip_raw_bytes") && r.at("skip_raw_bytes").get<uint64_t>() > 0)
    o << fmt::format(
        "skip tensors ({}): {} B raw, {} B stored (x{:.2f}); DRAM spill {} B, fill {} B\n",
        r.at("npu").at("skip_compression").get<std::string>(),
        r.at("skip_raw_bytes").get<uint64_t>(), r.at("skip_compressed_bytes").get<uint64_t>(),
        r.at("skip_compression_ratio").get<double>(), r.at("skip_dram_spill_bytes").get<uint64_t>(),
        r.at("skip_dram_fill_bytes").get<uint64_t>());
  o << fmt::format("golden: {}\n",
                   r.at("golden").at("match").get<bool>() ? "bit-exact" : "MISMATCH");
  if (r.contains("fuse_add_comparison")) {
    const auto& c = r["fuse_add_comparison"];
    for (const char* k : {"separate", "fused"})
      o << fmt::format(
          "add {:<9}: {:>12} cycles, {:>10} in adds, MAC idle {:>10}, DRAM {:>12} B, {} ops\n", k,
          c[k]["cycles"].get<uint64_t>(), c[k]["add_cycles"].get<uint64_t>(),
          c[k]["mac_idle_cycles"].get<uint64_t>(), c[k]["dram_bytes"].get<uint64_t>(),
          c[k]["ops"].get<uint64_t>());
  }
  o << fmt::format("{:<28} {:>5} {:>11} {:>12} {:>10} {:>8} {:>8}  {}\n", "op", "type", "cycles",
                   "DRAM B", "ops/cycle", "roof", "passes", "bound");
  for (const auto& e : r.at("ops"))
    o << fmt::format("{:<28} {:>5} {:>11} {:>12} {:>10.1f} {:>8.1f} {:>8}  {} ({})\n",
                     e["name"].get<std::string>(), e["type"].get<std::string>(),
                     e["cycles"].get<uint64_t>(), e["dram_bytes"].get<uint64_t>(),
                     e["attained_ops_per_cycle"].get<double>(),
                     e["roof_ops_per_cycle"].get<double>(), e["passes"].get<int>(),
                     e["bound"].get<std::string>(), e["bound_level"].get<std::string>());
  return o.str();
}

}  // namespace skipsim
