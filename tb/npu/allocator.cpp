#include "tb/npu/allocator.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "tb/npu/placement.hpp"

namespace skipsim {

namespace {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max() / 4;

// Spill decisions in bytes (no addresses): which tensors are resident at each op.
struct Simulation {
  std::vector<Residency> residencies;  // offsets not yet set
  std::vector<TransferEvent> events;   // whole tensors
  std::vector<std::vector<int>> streamed;
};

struct TensorState {
  bool resident = false;
  int start = 0;
  bool dram_copy = false;
  bool loaded = false;  // a graph input read once already
};

std::vector<std::vector<int>> uses_of(const OpGraph& g) {
  std::vector<std::vector<int>> uses(g.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].producer >= 0) uses[t].push_back(g.tensors[t].producer);
    for (int c : g.tensors[t].consumers) uses[t].push_back(c);
  }
  return uses;
}

int next_use_after(const std::vector<int>& uses, int op) {
  auto it = std::upper_bound(uses.begin(), uses.end(), op);
  return it == uses.end() ? std::numeric_limits<int>::max() : *it;
}

int last_use_before(const std::vector<int>& uses, int op) {
  auto it = std::lower_bound(uses.begin(), uses.end(), op);
  return it == uses.begin() ? -1 : *(it - 1);
}

Simulation simulate(const OpGraph& g, const AllocOptions& opt, uint64_t budget,
                    const std::vector<uint64_t>& cost, const std::vector<bool>& oversize) {
  const int n_ops = static_cast<int>(g.ops.size());
  const std::vector<std::vector<int>> uses = uses_of(g);
  std::vector<TensorState> st(g.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) st[t].dram_copy = g.tensors[t].producer < 0;
  std::vector<int> resident;  // tensor ids
  Simulation sim;
  sim.streamed.resize(n_ops);

  auto end_residency = [&](int t, int last) {
    sim.residencies.push_back({t, st[t].start, last, 0});
    st[t].resident = false;
    resident.erase(std::find(resident.begin(), resident.end(), t));
  };

  for (int i = 0; i < n_ops; ++i) {
    std::vector<int> operands = g.ops[i].inputs;
    for (int t : g.ops[i].outputs) operands.push_back(t);
    std::sort(operands.begin(), operands.end());
    operands.erase(std::unique(operands.begin(), operands.end()), operands.end());

    // Operands that cannot all be resident at once stream through DRAM: oversize ones
    // first, then non-resident before resident, larger before smaller.
    std::vector<int> keep, stream;
    for (int t : operands) (oversize[t] ? stream : keep).push_back(t);
    std::sort(keep.begin(), keep.end(), [&](int a, int b) {
      if (st[a].resident != st[b].resident) return !st[a].resident;
      if (cost[a] != cost[b]) return cost[a] > cost[b];
      return a < b;
    });
    uint64_t keep_cost = 0;
    for (int t : keep) keep_cost += cost[t];
    while (keep_cost > budget) {
      keep_cost -= cost[keep.front()];
      stream.push_back(keep.front());
      keep.erase(keep.begin());
    }
    for (int t : stream)
      if (st[t].resident) {  // evict it: the op reads it from DRAM
        if (!st[t].dram_copy) {
          sim.events.push_back(
              {TransferKind::kSpill, t, g.tensors[t].bytes, last_use_before(uses[t], i), i});
          st[t].dram_copy = true;
        }
        end_residency(t, i - 1);
      }

    // Evict until the kept operands fit with what stays resident.
    uint64_t need = keep_cost;
    std::vector<int> candidates;
    for (int t : resident)
      if (std::find(keep.begin(), keep.end(), t) == keep.end())
        need += cost[t], candidates.push_back(t);
    std::vector<int> victims;
    while (need > budget) {
      auto worse = [&](int a, int b) {  // true when a should go before b
        const int na = next_use_after(uses[a], i), nb = next_use_after(uses[b], i);
        if (opt.spill == SpillPolicy::kLargestFirst && cost[a] != cost[b]) return cost[a] > cost[b];
        if (na != nb) return na > nb;
        if (cost[a] != cost[b]) return cost[a] > cost[b];
        return a < b;
      };
      auto v = std::min_element(candidates.begin(), candidates.end(), worse);
      victims.push_back(*v);
      need -= cost[*v];
      candidates.erase(v);
    }
    // Take back earlier victims that fit after the later ones left.
    for (int k = static_cast<int>(victims.size()) - 2; k >= 0; --k)
      if (need + cost[victims[k]] <= budget) {
        need += cost[victims[k]];
        victims.erase(victims.begin() + k);
      }
    for (int v : victims) {
      if (!st[v].dram_copy) {
        sim.events.push_back(
            {TransferKind::kSpill, v, g.tensors[v].bytes, last_use_before(uses[v], i), i});
        st[v].dram_copy = true;
      }
      end_residency(v, i - 1);
    }

    for (int t : keep) {
      if (st[t].resident) continue;
      if (g.tensors[t].producer != i) {
        const bool load = g.tensors[t].producer < 0 && !st[t].loaded;
        sim.events.push_back(
            {load ? TransferKind::kLoad : TransferKind::kFill, t, g.tensors[t].bytes, i, i});
        st[t].loaded = true;
      }
      st[t].resident = true;
      st[t].start = i;
      resident.push_back(t);
    }
    for (int t : stream) {
      sim.streamed[i].push_back(t);
      const bool out = g.tensors[t].producer == i;
      sim.events.push_back(
          {out ? TransferKind::kStreamOut : TransferKind::kStreamIn, t, g.tensors[t].bytes, i, i});
      if (out) st[t].dram_copy = true;
      if (!out) st[t].loaded = true;
    }
    std::sort(sim.streamed[i].begin(), sim.streamed[i].end());
    for (int t : std::vector<int>(resident))
      if (g.tensors[t].last_op() <= i) end_residency(t, i);
  }
  return sim;
}

// Moves each fill's start back over ops with room to spare, so the read overlaps compute.
void prefetch(const OpGraph& g, uint64_t budget, const std::vector<uint64_t>& cost,
              Simulation& sim) {
  std::vector<uint64_t> occ(g.ops.size(), 0);
  for (const Residency& r : sim.residencies)
    for (int j = r.first_op; j <= r.last_op; ++j) occ[j] += cost[r.tensor];
  for (TransferEvent& e : sim.events) {
    if (e.kind != TransferKind::kFill) continue;
    Residency* r = nullptr;
    int prev_end = -1;
    for (Residency& x : sim.residencies)
      if (x.tensor == e.tensor) {
        if (x.first_op == e.op) r = &x;
        if (x.last_op < e.op) prev_end = std::max(prev_end, x.last_op);
      }
    if (!r) throw std::logic_error("prefetch: fill without its residency");
    // Not before the DRAM copy exists: the spill's space was taken at prev_end + 1, a
    // streamed output is written by its producer.
    const int lb = std::max(prev_end + 2, g.tensors[e.tensor].producer + 1);
    while (r->first_op - 1 >= lb && occ[r->first_op - 1] + cost[e.tensor] <= budget) {
      --r->first_op;
      occ[r->first_op] += cost[e.tensor];
    }
    e.window_op = r->first_op;
  }
}

std::vector<TransferEvent> tiled(const std::vector<TransferEvent>& events, uint64_t tile) {
  if (tile == 0) return events;
  std::vector<TransferEvent> out;
  for (const TransferEvent& e : events)
    for (uint64_t done = 0; done < e.bytes; done += tile) {
      TransferEvent part = e;
      part.bytes = std::min(tile, e.bytes - done);
      out.push_back(part);
    }
  return out;
}

}  // namespace

const Residency* SramPlan::resident_at(int tensor, int op) const {
  for (const Residency& r : residencies)
    if (r.tensor == tensor && r.first_op <= op && op <= r.last_op) return &r;
  return nullptr;
}

SramPlan plan_sram(const OpGraph& g, const AllocOptions& opt) {
  g.validate();
  if (opt.alignment == 0) throw std::invalid_argument("plan_sram: alignment 0");
  const size_t n = g.tensors.size();
  const bool bounded = opt.capacity > 0;
  SramPlan p;
  p.options = opt;

  std::vector<uint64_t> cost(n);
  std::vector<bool> oversize(n, false);
  uint64_t budget = bounded ? opt.capacity : kUnbounded;
  if (opt.policy == AllocPolicy::kPingPong) {
    uint64_t slot = 0;
    for (const NpuTensor& t : g.tensors) slot = std::max(slot, align_up(t.bytes, opt.alignment));
    uint64_t slots = opt.ping_pong_slots > 0 ? opt.ping_pong_slots : 0;
    if (bounded) {
      if (slots == 0) slots = std::max<uint64_t>(2, opt.capacity / std::max<uint64_t>(slot, 1));
      // Slots smaller than the largest tensor when they must share the capacity; bigger
      // tensors then stream.
      slot = std::min(slot, opt.capacity / slots / opt.alignment * opt.alignment);
      budget = slots * slot;
    } else if (slots > 0) {
      budget = slots * slot;
    }
    p.slot_bytes = slot;
    for (size_t t = 0; t < n; ++t) {
      cost[t] = slot;
      oversize[t] = g.tensors[t].bytes > slot || slot == 0;
    }
  } else {
    for (size_t t = 0; t < n; ++t) cost[t] = align_up(g.tensors[t].bytes, opt.alignment);
  }

  auto attempt = [&](uint64_t b, uint64_t* arena) {
    Simulation sim = simulate(g, opt, b, cost, oversize);
    if (opt.prefetch_fills && b != kUnbounded) prefetch(g, b, cost, sim);
    std::vector<PlacementBuffer> bufs;
    for (const Residency& r : sim.residencies)
      bufs.push_back({r.first_op, r.last_op, g.tensors[r.tensor].bytes, r.tensor});
    const std::vector<uint64_t> off = opt.policy == AllocPolicy::kPingPong
                                          ? place_slots(bufs, p.slot_bytes)
                                          : place_greedy_by_size(bufs, opt.alignment);
    *arena = 0;
    for (size_t k = 0; k < bufs.size(); ++k) {
      sim.residencies[k].offset = off[k];
      *arena = std::max(*arena, off[k] + (opt.policy == AllocPolicy::kPingPong
                                              ? p.slot_bytes
                                              : align_up(bufs[k].bytes, opt.alignment)));
    }
    return sim;
  };
  Simulation sim = attempt(budget, &p.sram_arena_bytes);
  if (bounded && p.sram_arena_bytes > opt.capacity) {
    // Fragmentation: the offsets need more than the live bytes. Bisect the byte budget
    // between 0 (everything streams: always fits) and the capacity, and keep the fitting
    // plan that moves the fewest bytes (the traffic is not monotonic in the budget).
    auto traffic = [](const Simulation& s) {
      uint64_t sum = 0;
      for (const TransferEvent& e : s.events) sum += e.bytes;
      return sum;
    };
    uint64_t lo = 0, hi = budget, arena = 0;
    Simulation best = attempt(0, &p.sram_arena_bytes);
    const uint64_t step = std::max<uint64_t>(opt.alignment, opt.capacity / 4096);
    while (hi - lo > step) {
      const uint64_t mid = lo + (hi - lo) / 2;
      Simulation s = attempt(mid, &arena);
      ++p.replans;
      if (arena <= opt.capacity) {
        lo = mid;
        if (traffic(s) <= traffic(best)) {
          best = std::move(s);
          p.sram_arena_bytes = arena;
        }
      } else {
        hi = mid;
      }
    }
    sim = std::move(best);
  }

  std::sort(sim.residencies.begin(), sim.residencies.end(),
            [](const Residency& a, const Residency& b) {
              return a.first_op != b.first_op ? a.first_op < b.first_op : a.tensor < b.tensor;
            });
  p.residencies = sim.residencies;
  p.streamed = sim.streamed;
  p.events = tiled(sim.events, opt.tile_bytes);
  p.liveness_peak_bytes = g.peak_live_bytes();
  p.max_live_activation_tensors = g.max_live_tensors();

  p.tensors.resize(n);
  for (size_t t = 0; t < n; ++t) {
    TensorPlan& tp = p.tensors[t];
    tp.name = g.tensors[t].name;
    tp.bytes = g.tensors[t].bytes;
    tp.first_op = g.tensors[t].first_op();
    tp.last_op = g.tensors[t].last_op();
    tp.dram = true;
  }
  for (const Residency& r : p.residencies) {
    TensorPlan& tp = p.tensors[r.tensor];
    if (tp.dram) tp.sram_offset = r.offset;
    tp.dram = false;
  }
  for (const TransferEvent& e : p.events) {
    TensorPlan& tp = p.tensors[e.tensor];
    switch (e.kind) {
      case TransferKind::kSpill:
        tp.spilled_bytes += e.bytes, p.spill_bytes += e.bytes;
        break;
      case TransferKind::kStreamOut:
        tp.spilled_bytes += e.bytes, p.spill_bytes += e.bytes, p.stream_out_bytes += e.bytes;
        break;
      case TransferKind::kFill:
        tp.filled_bytes += e.bytes, p.fill_bytes += e.bytes;
        break;
      case TransferKind::kStreamIn:
        tp.filled_bytes += e.bytes, p.fill_bytes += e.bytes, p.stream_in_bytes += e.bytes;
        break;
      case TransferKind::kLoad:
        p.load_bytes += e.bytes;
        break;
    }
  }
  for (int i = 0; i < static_cast<int>(g.ops.size()); ++i) {
    uint64_t bytes = 0;
    int count = 0;
    for (const Residency& r : p.residencies)
      if (r.first_op <= i && i <= r.last_op) bytes += g.tensors[r.tensor].bytes, ++count;
    p.sram_peak_live_bytes = std::max(p.sram_peak_live_bytes, bytes);
    p.max_resident_tensors = std::max(p.max_resident_tensors, count);
  }
  return p;
}

}  // namespace skipsim
