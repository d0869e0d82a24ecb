// check_plan and to_json for SramPlan.
#include <algorithm>
#include <string>

#include "tb/npu/allocator.hpp"

namespace skipsim {

namespace {
bool has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }
}  // namespace

std::vector<std::string> check_plan(const OpGraph& g, const SramPlan& p) {
  std::vector<std::string> err;
  const AllocOptions& o = p.options;
  const int n_ops = static_cast<int>(g.ops.size());
  const int n_t = static_cast<int>(g.tensors.size());
  auto tname = [&](int t) { return g.tensors[t].name; };
  if (static_cast<int>(p.streamed.size()) != n_ops) err.push_back("streamed: one list per op");

  for (const Residency& r : p.residencies) {
    if (r.tensor < 0 || r.tensor >= n_t) {
      err.push_back("residency of an unknown tensor");
      continue;
    }
    const NpuTensor& t = g.tensors[r.tensor];
    if (r.first_op > r.last_op || r.first_op < t.first_op() || r.last_op > t.last_op())
      err.push_back(tname(r.tensor) + ": residency outside its liveness");
    if (o.alignment > 1 && r.offset % o.alignment != 0)
      err.push_back(tname(r.tensor) + ": offset not aligned");
    if (o.capacity > 0 && r.offset + t.bytes > o.capacity)
      err.push_back(tname(r.tensor) + ": beyond capacity");
  }
  for (int i = 0; i < n_ops; ++i) {
    std::vector<const Residency*> here;
    for (const Residency& r : p.residencies)
      if (r.tensor >= 0 && r.tensor < n_t && r.first_op <= i && i <= r.last_op) here.push_back(&r);
    for (size_t a = 0; a < here.size(); ++a)
      for (size_t b = a + 1; b < here.size(); ++b) {
        const Residency &x = *here[a], &y = *here[b];
        const uint64_t xe = x.offset + g.tensors[x.tensor].bytes;
        const uint64_t ye = y.offset + g.tensors[y.tensor].bytes;
        if (x.tensor == y.tensor)
          err.push_back(tname(x.tensor) + ": two residencies at op " + g.ops[i].name);
        else if (x.offset < ye && y.offset < xe)
          err.push_back(tname(x.tensor) + " and " + tname(y.tensor) + " overlap at op " +
                        g.ops[i].name);
      }
    std::vector<int> operands = g.ops[i].inputs;
    for (int t : g.ops[i].outputs) operands.push_back(t);
    for (int t : operands) {
      const bool res = p.resident_at(t, i) != nullptr;
      const bool str = i < static_cast<int>(p.streamed.size()) && has(p.streamed[i], t);
      if (res == str)
        err.push_back(tname(t) +
                      (res ? " both resident and streamed"
                           : " neither resident nor "
                             "streamed") +
                      " at op " + g.ops[i].name);
    }
  }

  // Every residency not starting at the producer follows a DRAM copy and is filled.
  for (const Residency& r : p.residencies) {
    if (r.tensor < 0 || r.tensor >= n_t) continue;
    const NpuTensor& t = g.tensors[r.tensor];
    if (r.first_op == t.producer) continue;
    bool filled = false, copy = t.producer < 0;
    for (const TransferEvent& e : p.events) {
      if (e.tensor != r.tensor) continue;
      if ((e.kind == TransferKind::kFill || e.kind == TransferKind::kLoad) &&
          e.window_op == r.first_op && e.op >= r.first_op && e.op <= r.last_op)
        filled = true;
      if ((e.kind == TransferKind::kSpill && e.window_op <= r.first_op) ||
          (e.kind == TransferKind::kStreamOut && e.op < r.first_op))
        copy = true;
    }
    if (!filled)
      err.push_back(tname(r.tensor) + ": residency from op " + std::to_string(r.first_op) +
                    " without a fill");
    if (!copy) err.push_back(tname(r.tensor) + ": filled before any DRAM copy");
  }
  // Every streamed operand has its transfer; a streamed input has a DRAM copy by then.
  for (int i = 0; i < n_ops && i < static_cast<int>(p.streamed.size()); ++i)
    for (int t : p.streamed[i]) {
      const bool out = t >= 0 && t < n_t && g.tensors[t].producer == i;
      bool event = false, copy = !out && t >= 0 && t < n_t && g.tensors[t].producer < 0;
      for (const TransferEvent& e : p.events) {
        if (e.tensor != t) continue;
        event |= e.op == i && e.kind == (out ? TransferKind::kStreamOut : TransferKind::kStreamIn);
        copy |= (e.kind == TransferKind::kSpill && e.window_op <= i) ||
                (e.kind == TransferKind::kStreamOut && e.op < i);
      }
      if (!event)
        err.push_back(tname(t) + ": streamed at op " + g.ops[i].name + " without a transfer");
      if (!out && !copy) err.push_back(tname(t) + ": streamed in before any DRAM copy");
    }
  for (const TransferEvent& e : p.events) {
    if (e.kind != TransferKind::kSpill) continue;
    bool ok = false;
    for (const Residency& r : p.residencies)
      ok |= r.tensor == e.tensor && r.last_op == e.window_op - 1 && r.first_op <= e.op &&
            e.op <= r.last_op;
    if (!ok) err.push_back(tname(e.tensor) + ": spill not at the end of a residency");
  }

  // Accounting.
  std::vector<uint64_t> sp(n_t, 0), fi(n_t, 0);
  uint64_t spill = 0, fill = 0;
  for (const TransferEvent& e : p.events) {
    if (e.kind == TransferKind::kSpill || e.kind == TransferKind::kStreamOut)
      sp[e.tensor] += e.bytes, spill += e.bytes;
    if (e.kind == TransferKind::kFill || e.kind == TransferKind::kStreamIn)
      fi[e.tensor] += e.bytes, fill += e.bytes;
  }
  if (spill != p.spill_bytes || fill != p.fill_bytes) err.push_back("spill/fill totals");
  for (int t = 0; t < n_t && t < static_cast<int>(p.tensors.size()); ++t) {
    if (sp[t] != p.tensors[t].spilled_bytes || fi[t] != p.tensors[t].filled_bytes)
      err.push_back(tname(t) + ": spilled/filled bytes do not match the events");
    if (sp[t] > g.tensors[t].bytes) err.push_back(tname(t) + ": written to DRAM twice");
  }
  uint64_t peak = 0;
  for (int i = 0; i < n_ops; ++i) {
    uint64_t b = 0;
    for (const Residency& r : p.residencies)
      if (r.first_op <= i && i <= r.last_op) b += g.tensors[r.tensor].bytes;
    peak = std::max(peak, b);
  }
  if (peak != p.sram_peak_live_bytes) err.push_back("sram_peak_live_bytes");
  if (o.capacity > 0 && peak > o.capacity) err.push_back("peak beyond capacity");
  return err;
}

nlohmann::json to_json(const OpGraph& g, const SramPlan& p) {
  nlohmann::json j;
  j["allocator"] = std::string(enum_name(p.options.policy));
  j["spill_policy"] = std::string(enum_name(p.options.spill));
  j["capacity"] = p.options.capacity;
  j["alignment"] = p.options.alignment;
  j["tile_bytes"] = p.options.tile_bytes;
  if (p.options.policy == AllocPolicy::kPingPong) j["slot_bytes"] = p.slot_bytes;
  j["liveness_peak_bytes"] = p.liveness_peak_bytes;
  j["max_live_activation_tensors"] = p.max_live_activation_tensors;
  j["sram_peak_live_bytes"] = p.sram_peak_live_bytes;
  j["sram_arena_bytes"] = p.sram_arena_bytes;
  j["max_resident_tensors"] = p.max_resident_tensors;
  j["spill_bytes"] = p.spill_bytes;
  j["fill_bytes"] = p.fill_bytes;
  j["stream_out_bytes"] = p.stream_out_bytes;
  j["stream_in_bytes"] = p.stream_in_bytes;
  j["load_bytes"] = p.load_bytes;
  nlohmann::json tensors = nlohmann::json::array();
  for (size_t t = 0; t < p.tensors.size(); ++t) {
    const TensorPlan& tp = p.tensors[t];
    nlohmann::json e{{"name", tp.name},
                     {"bytes", tp.bytes},
                     {"first_op", tp.first_op},
                     {"last_op", tp.last_op},
                     {"spilled_bytes", tp.spilled_bytes},
                     {"filled_bytes", tp.filled_bytes}};
    if (tp.dram)
      e["sram_offset"] = "dram";
    else
      e["sram_offset"] = tp.sram_offset;
    nlohmann::json res = nlohmann::json::array();
    for (const Residency& r : p.residencies)
      if (r.tensor == static_cast<int>(t))
        res.push_back({{"first_op", r.first_op}, {"last_op", r.last_op}, {"offset", r.offset}});
    e["residencies"] = res;
    tensors.push_back(e);
  }
  j["tensors"] = tensors;
  nlohmann::json events = nlohmann::json::array();
  for (const TransferEvent& e : p.events)
    events.push_back({{"kind", std::string(enum_name(e.kind))},
                      {"tensor", g.tensors[e.tensor].name},
                      {"bytes", e.bytes},
                      {"op", g.ops[e.op].name},
                      {"window_op", g.ops[e.window_op].name}});
  j["events"] = events;
  return j;
}

}  // namespace skipsim
