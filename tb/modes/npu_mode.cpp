#include "tb/modes/npu_mode.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/fc/fc_engine.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/modes/fused_network.hpp"
#include "tb/modes/npu_report.hpp"
#include "tb/net/load_network.hpp"
#include "tb/npu/npu_program.hpp"
#include "tb/observe/monitor.hpp"
#include "tb/ref/npy.hpp"
#include "tb/top/npu_op_top.hpp"

namespace skipsim {

namespace {

// The SRAM an op's engine holds besides the activations (its line buffer), in whole rows.
uint64_t working_bytes(const NpuProgramOp& o, int width) {
  uint64_t b = 0;
  if (const auto* c = std::get_if<ConvStage>(&o.compute))
    b = static_cast<uint64_t>(c->params.k) * c->in_w * c->params.in_c;
  else if (const auto* f = std::get_if<FcStage>(&o.compute))
    b = static_cast<uint64_t>(f->params.in_f);
  else if (const auto* m = std::get_if<MaxPoolStage>(&o.compute))
    b = static_cast<uint64_t>(m->params.k) * m->in_w * m->in_c;
  return SramBanks::rounded(b, width);
}

// Output channels per pass so that a pass's parameters fit the weight buffer.
int channels_per_pass(const NpuProgramOp& o, uint64_t buffer) {
  uint64_t per = 0;
  int out = 0;
  if (const auto* c = std::get_if<ConvStage>(&o.compute)) {
    per = static_cast<uint64_t>(c->params.in_c) * c->params.k * c->params.k + 12;
    out = c->params.out_c;
  } else if (const auto* f = std::get_if<FcStage>(&o.compute)) {
    per = static_cast<uint64_t>(f->params.in_f) + 4;
    out = f->params.out_f;
  } else {
    return 0;  // no weights
  }
  const uint64_t fit = std::max<uint64_t>(1, buffer / per);
  return static_cast<int>(std::min<uint64_t>(fit, static_cast<uint64_t>(out)));
}

// The passes an op runs in (1 without weights).
int op_passes(const NpuProgramOp& o, uint64_t buffer) {
  const int per = channels_per_pass(o, buffer);
  if (per <= 0) return 1;
  int out_c = 0;
  if (const auto* f = std::get_if<FcStage>(&o.compute))
    out_c = f->params.out_f;
  else
    out_c = std::get<ConvStage>(o.compute).params.out_c;
  return (out_c + per - 1) / per;
}

// Output channels [c0, c0 + n) of a layer (its weights copied once, not the whole layer).
ConvParams slice(const ConvParams& p, int c0, int n) {
  ConvParams s;
  s.out_c = n, s.in_c = p.in_c, s.k = p.k, s.stride = p.stride, s.padding = p.padding;
  s.relu = p.relu;
  const size_t per = static_cast<size_t>(p.in_c) * p.k * p.k;
  s.weight.assign(p.weight.begin() + c0 * per, p.weight.begin() + (c0 + n) * per);
  s.bias.assign(p.bias.begin() + c0, p.bias.begin() + c0 + n);
  s.mult.assign(p.mult.begin() + c0, p.mult.begin() + c0 + n);
  s.shift.assign(p.shift.begin() + c0, p.shift.begin() + c0 + n);
  return s;
}

FcParams slice(const FcParams& p, int c0, int n) {
  FcParams s;
  s.out_f = n, s.in_f = p.in_f;
  const size_t per = static_cast<size_t>(p.in_f);
  s.weight.assign(p.weight.begin() + c0 * per, p.weight.begin() + (c0 + n) * per);
  s.bias.assign(p.bias.begin() + c0, p.bias.begin() + c0 + n);
  return s;
}

// The op's stage for output channels [c0, c0 + n) of out_c.
NpuCompute pass_compute(const NpuCompute& c, int c0, int n, int out_c) {
  if (n == out_c) return c;
  if (const auto* cs = std::get_if<ConvStage>(&c))
    return ConvStage{cs->name, cs->out_stream, cs->in_h, cs->in_w, slice(cs->params, c0, n)};
  if (const auto* f = std::get_if<FcStage>(&c))
    return FcStage{f->name, f->out_stream, slice(f->params, c0, n)};
  return c;
}

// Bytes [c0, c0 + n) of every pixel of a tensor of `stride` bytes per pixel.
std::vector<int8_t> channel_slice(const std::vector<int8_t>& v, int stride, int c0, int n) {
  const size_t pixels = v.size() / static_cast<size_t>(stride);
  std::vector<int8_t> s(pixels * static_cast<size_t>(n));
  for (size_t p = 0; p < pixels; ++p)
    std::copy_n(v.begin() + p * stride + c0, n, s.begin() + p * n);
  return s;
}

// One simulation: a pass of an op, with the data it needs kept alive by the parent.
struct PassJob {
  int op = 0, pass = 0;
  NpuOpJob job;
  std::vector<std::vector<int8_t>> owned;  // slices the job points into (stable: reserved)
  std::vector<int8_t> expected;            // the output slice
  std::vector<int8_t> next_weights;        // the next pass's weights, prefetched by this one
};

// The parameter blob the engine of `c` loads (empty: no engine).
std::vector<int8_t> weight_blob(const NpuCompute& c) {
  std::vector<uint8_t> b;
  if (const auto* cs = std::get_if<ConvStage>(&c)) {
    const ConvParams& p = cs->params;
    b = pack_conv_params(p.out_c, p.in_c, p.k, p.weight, p.bias, p.mult, p.shift);
  } else if (const auto* f = std::get_if<FcStage>(&c)) {
    b = pack_fc_params(f->params.out_f, f->params.in_f, f->params.weight, f->params.bias);
  }
  std::vector<int8_t> out(b.size());
  if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
  return out;
}

// Double-buffered weights: each pass with an engine finds its weights loaded by the pass
// before it (which loads them into the other buffer while it runs); the first loads its own.
void prefetch_weights(std::vector<PassJob>& all, uint64_t buffer) {
  for (PassJob& p : all) p.job.next_weight_buffer_bytes = buffer;
  for (size_t i = 1; i < all.size(); ++i) {
    std::vector<int8_t> blob = weight_blob(all[i].job.compute);
    if (blob.empty()) continue;
    PassJob& prev = all[i - 1];
    prev.next_weights = std::move(blob);
    NpuTransferJob t;
    t.data = &prev.next_weights;
    t.to_dram = false;
    t.bytes = prev.next_weights.size();
    t.purpose = DmaPurpose::kWeights;
    t.next_weights = true;
    prev.job.transfers.push_back(t);
    all[i].job.weights_preloaded = true;
  }
}

class JobBuilder {
 public:
  JobBuilder(const NpuProgram& p, const SramPlan& plan, const Config& cfg, uint64_t arena)
      : m_p(p), m_plan(plan), m_cfg(cfg), m_arena(arena) {
    m_transfers.resize(p.ops.size());
    assign_transfers();
  }

  std::vector<PassJob> passes(int k) const;

 private:
  // Which op's simulation runs each DRAM transfer of the plan, and whether it must land
  // before that op starts.
  void assign_transfers();
  // pass: a blocking fill lands in pass 0; later passes find the operand in place.
  NpuOperandJob operand(int k, int t, int pass) const;

  struct Assigned {
    TransferEvent e;
    bool blocking = false;
  };
  const NpuProgram& m_p;
  const SramPlan& m_plan;
  const Config& m_cfg;
  uint64_t m_arena;
  std::vector<std::vector<Assigned>> m_transfers;  // per op
};

void JobBuilder::assign_transfers() {
  const int n = static_cast<int>(m_p.ops.size());
  for (const TransferEvent& e : m_plan.events) {
    switch (e.kind) {
      case TransferKind::kSpill: {
        // Written while ops op+1 .. window_op-1 run, or before window_op takes the space.
        const int at = e.op + 1 < e.window_op ? e.op + 1 : std::min(e.window_op, n - 1);
        m_transfers[at].push_back({e, at == e.window_op});
        break;
      }
      case TransferKind::kFill:
      case TransferKind::kLoad: {
        const bool before = e.window_op >= e.op;
        m_transfers[before ? e.op : e.window_op].push_back({e, before});
        break;
      }
      default:  // stream_in / stream_out: the op itself reads or writes DRAM
        break;
    }
  }
  // Blocking first, spills before fills (a fill may take a spilled tensor's space).
  for (auto& v : m_transfers)
    std::stable_sort(v.begin(), v.end(), [](const Assigned& a, const Assigned& b) {
      if (a.blocking != b.blocking) return a.blocking;
      return a.e.kind == TransferKind::kSpill && b.e.kind != TransferKind::kSpill;
    });
}

NpuOperandJob JobBuilder::operand(int k, int t, int pass) const {
  NpuOperandJob in;
  in.tensor = t;
  in.data = &m_p.stored_value(t);
  if (m_p.compressed(t))
    in.words = m_p.stored[t].size() / static_cast<uint64_t>(m_cfg.hardware.sram.width_bytes);
  const NpuTensorShape& s = m_p.shapes[t];
  in.h = s.h, in.w = s.w, in.c = s.c;
  const Residency* r = m_plan.resident_at(t, k);
  in.in_sram = r != nullptr;
  if (r) in.sram_offset = r->offset;
  in.purpose = m_p.graph.tensors[t].producer < 0 ? DmaPurpose::kInput : DmaPurpose::kFill;
  for (const Assigned& a : m_transfers[k])
    if (pass == 0 && a.e.tensor == t && a.blocking && a.e.kind != TransferKind::kSpill)
      in.filled_here = true;
  return in;
}

std::vector<PassJob> JobBuilder::passes(int k) const {
  const NpuProgramOp& o = m_p.ops[k];
  const int out_t = o.output;
  const NpuTensorShape& os = m_p.shapes[out_t];
  int out_c = os.c, unit = 1;  // channels of the output; bytes per channel
  if (const auto* f = std::get_if<FcStage>(&o.compute)) {
    out_c = f->params.out_f;
    unit = 4;
  }
  const int per = channels_per_pass(o, static_cast<uint64_t>(m_cfg.npu.weight_buffer_bytes));
  const int npass = per > 0 ? (out_c + per - 1) / per : 1;
  std::vector<PassJob> v;
  for (int p = 0; p < npass; ++p) {
    PassJob pj;
    pj.op = k;
    pj.pass = p;
    pj.owned.reserve(4);
    const int c0 = per > 0 ? p * per : 0, n = per > 0 ? std::min(per, out_c - c0) : out_c;
    NpuOpJob& j = pj.job;
    j.name = o.name;
    j.arena_bytes = m_arena;
    j.compute = pass_compute(o.compute, c0, n, out_c);
    for (int t : o.inputs) j.inputs.push_back(operand(k, t, p));
    if (o.type == NpuOpType::kFc) {
      // An FC layer reads its input flattened: the same bytes as one pixel.
      NpuOperandJob& in = j.inputs.front();
      in.c = in.h * in.w * in.c;
      in.h = in.w = 1;
    }
    if (o.fused_add) {
      j.fused_add = o.fused_add;
      j.fused_add->c = n;
      if (n != out_c) {
        // The add of this pass takes X's channel slice.
        NpuOperandJob& x = j.inputs.back();
        if (x.in_sram) {
          x.pixel_stride = x.c;
          x.channel_offset = c0;
        } else {
          pj.owned.push_back(channel_slice(*x.data, x.c, c0, n));
          x.data = &pj.owned.back();
        }
        x.c = n;
      }
    }
    // The output (slice) and where it goes.
    NpuOutputJob& out = j.output;
    out.h = os.h, out.w = os.w;
    out.pixel_stride = os.c;
    out.channel_offset = c0 * unit;
    out.channels = n * unit;
    const Residency* r = m_plan.resident_at(out_t, k);
    out.in_sram = r != nullptr;
    if (r) out.sram_offset = r->offset;
    if (m_p.compressed(out_t))  // one pass (compress_skip_tensors): the whole stream
      out.words = m_p.stored[out_t].size() / static_cast<uint64_t>(m_cfg.hardware.sram.width_bytes);
    pj.expected = out.channels == os.c
                      ? m_p.stored_value(out_t)
                      : channel_slice(m_p.values[out_t], os.c, out.channel_offset, out.channels);
    if (p == 0) {
      for (const Assigned& a : m_transfers[k]) {
        const TransferEvent& e = a.e;
        NpuTransferJob t;
        t.data = &m_p.stored_value(e.tensor);
        t.tensor = e.tensor;
        t.to_dram = e.kind == TransferKind::kSpill;
        t.bytes = t.data->size();
        t.purpose = t.to_dram
                        ? DmaPurpose::kSpill
                        : (e.kind == TransferKind::kLoad ? DmaPurpose::kInput : DmaPurpose::kFill);
        t.blocking = a.blocking;
        // A spill reads the tensor where it sat at op e.op (its last op before the spill); a
        // fill writes it where it will sit for its use, op e.op.
        const Residency* where = m_plan.resident_at(e.tensor, e.op);
        if (!where)
          throw std::logic_error("transfer of a tensor with no residency: " +
                                 m_p.graph.tensors[e.tensor].name);
        t.sram_offset = where->offset;
        j.transfers.push_back(t);
      }
    }
    v.push_back(std::move(pj));
  }
  return v;
}

// What one pass's child reports.
nlohmann::json simulate_pass(const Config& cfg, const PassJob& pj) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  NpuOpTop top("top", cfg, pj.job);
  simulate(top.blocks(), top.monitor(), cfg.sim.skip_idle_edges, true);
  const Monitor& m = top.monitor();
  if (m.end() == Monitor::End::kDeadlock)
    throw std::runtime_error(fmt::format("op {} deadlocked at cycle {}", pj.job.name, m.cycle()));
  if (m.end() == Monitor::End::kCycleLimit)
    throw InputError(fmt::format("op {}: sim.max_cycles ({}) reached", pj.job.name, m.cycle()));
  nlohmann::json r;
  r["cycles"] = m.cycle();
  uint64_t busy = 0;
  if (top.engine()) busy = top.compute_block().stall_stats().busy;  // the array computing
  r["mac_busy_cycles"] = busy;
  nlohmann::json dram = nlohmann::json::object();
  for (int p = 0; p < kDmaPurposes; ++p) {
    uint64_t b = 0;
    for (const DmaEngine* d : top.dma_engines()) b += d->dma_stats().by_purpose[p].bytes;
    dram[purpose_name(static_cast<DmaPurpose>(p))] = b;
  }
  r["dram"] = dram;
  // Weights this pass loaded for the next one (its DRAM bytes, which the report credits to
  // the op that uses them).
  uint64_t prefetched = 0;
  for (const NpuTransferJob& t : pj.job.transfers)
    if (t.next_weights) prefetched += t.bytes;
  r["prefetched_weight_bytes"] = prefetched;
  uint64_t sram = 0, conflicts = 0;
  for (const auto& reg : top.sram().regions()) {
    sram += reg.reads + reg.writes;
    conflicts += reg.conflicts;
  }
  r["sram_bytes"] = sram;
  r["sram_conflicts"] = conflicts;
  r["first_write_cycle"] = top.first_write_cycle();
  r["last_read_cycle"] = top.last_read_cycle();
  r["blocking_done_cycle"] = top.blocking_done_cycle();
  r["output_done_cycle"] = top.output_done_cycle();
  const std::vector<int8_t> got = top.read_output();
  uint64_t bad = 0;
  for (size_t i = 0; i < pj.expected.size(); ++i)
    bad += i >= got.size() || got[i] != pj.expected[i];
  r["mismatches"] = bad;
  r["transfers_match"] = top.transfers_match();
  r["transfer_bytes"] = top.transfer_bytes();
  r["input_dram_bytes"] = top.input_dram_bytes();
  r["output_dram_bytes"] = top.output_dram_bytes();
  return r;
}

// Runs every pass, up to `jobs` at a time; results in pass order.
std::vector<nlohmann::json> run_passes(const Config& cfg, const std::vector<PassJob>& all, int jobs,
                                       bool progress) {
  std::vector<nlohmann::json> out(all.size());
  std::vector<std::pair<ChildProc, size_t>> running;
  size_t next = 0, done = 0;
  auto reap = [&] {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) return;
    for (size_t i = 0; i < running.size(); ++i) {
      if (running[i].first.pid != pid) continue;
      ChildResult r = collect_run(running[i].first, status);
      const PassJob& pj = all[running[i].second];
      if (r.exit_code != 0) {
        for (auto& [c, idx] : running)
          if (c.pid != pid) kill(c.pid, SIGKILL);
        const std::string why = r.error.empty() ? "failed" : r.error;
        if (r.exit_code == 2) throw InputError(fmt::format("npu: op {}: {}", pj.job.name, why));
        throw std::runtime_error(
            fmt::format("npu: op {} (pass {}): {}", pj.job.name, pj.pass, why));
      }
      out[running[i].second] = r.report;
      running.erase(running.begin() + static_cast<long>(i));
      ++done;
      if (progress)
        std::fprintf(stderr, "\rnpu: %zu/%zu simulations done (%s)      ", done, all.size(),
                     pj.job.name.c_str());
      return;
    }
  };
  while (done < all.size()) {
    while (next < all.size() && static_cast<int>(running.size()) < jobs) {
      const PassJob* pj = &all[next];
      running.emplace_back(fork_call([&cfg, pj] { return simulate_pass(cfg, *pj); }), next);
      ++next;
    }
    reap();
  }
  if (progress) std::fprintf(stderr, "\r%70s\r", "");
  return out;
}

// Per tensor, the DRAM bytes the hardware moved as the plan counts them: spilled (spills,
// streamed outputs) and filled (fills, streamed operands; not a graph input's load).
void measured_tensor_dram(const NpuProgram& prog, const std::vector<PassJob>& all,
                          const std::vector<nlohmann::json>& results, NpuRunFacts& facts) {
  facts.tensor_spilled.assign(prog.values.size(), 0);
  facts.tensor_filled.assign(prog.values.size(), 0);
  for (size_t i = 0; i < all.size(); ++i) {
    const NpuOpJob& j = all[i].job;
    const nlohmann::json& r = results[i];
    const auto moved = r.at("transfer_bytes").get<std::vector<uint64_t>>();
    for (size_t k = 0; k < j.transfers.size(); ++k) {
      const NpuTransferJob& t = j.transfers[k];
      if (t.tensor < 0 || t.purpose == DmaPurpose::kInput) continue;
      (t.to_dram ? facts.tensor_spilled : facts.tensor_filled)[t.tensor] += moved.at(k);
    }
    const auto in = r.at("input_dram_bytes").get<std::vector<uint64_t>>();
    for (size_t k = 0; k < j.inputs.size(); ++k)
      if (j.inputs[k].tensor >= 0) facts.tensor_filled[j.inputs[k].tensor] += in.at(k);
    facts.tensor_spilled[prog.ops[all[i].op].output] += r.at("output_dram_bytes").get<uint64_t>();
  }
}

}  // namespace

// Runs opt once more with npu.fuse_add flipped: both organizations of the add side by side.
nlohmann::json compare_fuse_add(const NpuOptions& opt, const Config& cfg, nlohmann::json& rep);

nlohmann::json run_npu(const NpuOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config cfg = load_config(opt.config, opt.sets);
  if (opt.model.empty() == opt.onnx.empty())
    throw InputError("npu: give --model NAME or --onnx FILE (one of them)");
  const Network net = load_network(opt.model, opt.onnx, opt.h, opt.w, opt.seed, opt.image);
  const auto [first, last] = block_range(net, opt.blocks, "--blocks");
  if (opt.progress) std::fprintf(stderr, "npu: golden forward pass of %s ...", net.model.c_str());
  Tensor8 x = net.input;
  for (size_t i = 0; i < first; ++i) x = golden_net_block(net.blocks[i], x);
  if (!opt.dump_tensors.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt.dump_tensors, ec);
    if (ec)
      throw InputError(fmt::format("--dump-tensors {}: cannot create the folder ({})",
                                   opt.dump_tensors, ec.message()));
  }
  NpuProgram prog = build_npu_program(net, first, last, x, cfg.npu.fuse_add);
  const uint64_t wbuf = static_cast<uint64_t>(cfg.npu.weight_buffer_bytes);
  compress_skip_tensors(prog, cfg.npu.skip_compression, cfg.hardware.stream.lanes,
                        cfg.hardware.sram.width_bytes,
                        [wbuf](const NpuProgramOp& o) { return op_passes(o, wbuf); });
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");

  // The activation arena: what the SRAM leaves beside the weight buffer and line buffers.
  const auto& hw = cfg.hardware;
  const uint64_t capacity = static_cast<uint64_t>(hw.sram.banks) * hw.sram.bank_bytes;
  uint64_t working = 0;
  for (const NpuProgramOp& o : prog.ops)
    working = std::max(working, working_bytes(o, hw.sram.width_bytes));
  const uint64_t weights =
      SramBanks::rounded(static_cast<uint64_t>(cfg.npu.weight_buffer_bytes), hw.sram.width_bytes) *
      (cfg.npu.weight_prefetch ? 2 : 1);
  uint64_t arena = static_cast<uint64_t>(cfg.npu.activation_bytes);
  if (arena == 0) {
    if (capacity <= weights + working)
      throw InputError(fmt::format(
          "npu: the SRAM ({} B) leaves no room for activations beside the weight buffers "
          "(npu.weight_buffer_bytes, twice with npu.weight_prefetch: {} B) and the largest "
          "line buffer ({} B); raise "
          "hardware.sram.banks or hardware.sram.bank_bytes, or lower npu.weight_buffer_bytes",
          capacity, weights, working));
    arena = capacity - weights - working;
  } else if (arena > capacity || capacity - arena < weights + working) {
    throw InputError(fmt::format(
        "npu.activation_bytes: {} B beside the weight buffers ({} B) and the largest line "
        "buffer ({} B) exceed the SRAM ({} B); give at most {} B, 0 for what is left, or raise "
        "hardware.sram.banks or hardware.sram.bank_bytes",
        arena, weights, working, capacity,
        capacity > weights + working ? capacity - weights - working : 0));
  }
  AllocOptions ao;
  ao.policy = cfg.npu.allocator;
  ao.spill = cfg.npu.spill;
  ao.capacity = arena;
  ao.alignment = static_cast<uint64_t>(hw.sram.width_bytes);
  ao.prefetch_fills = cfg.npu.prefetch_fills;
  const SramPlan plan = plan_sram(prog.graph, ao);
  const std::vector<std::string> bad = check_plan(prog.graph, plan);
  if (!bad.empty()) throw std::logic_error("npu: unsound SRAM plan: " + bad.front());
  arena = std::max<uint64_t>(arena, SramBanks::rounded(plan.sram_arena_bytes, hw.sram.width_bytes));
  // The same plan with every tensor raw: what the compression saves.
  std::optional<SramPlan> raw_plan;
  if (cfg.npu.skip_compression != SkipCompression::kNone) {
    OpGraph raw = prog.graph;
    for (size_t t = 0; t < raw.tensors.size(); ++t) raw.tensors[t].bytes = prog.values[t].size();
    raw_plan = plan_sram(raw, ao);
  }

  JobBuilder jb(prog, plan, cfg, arena);
  std::vector<PassJob> all;
  for (size_t k = 0; k < prog.ops.size(); ++k)
    for (PassJob& p : jb.passes(static_cast<int>(k))) all.push_back(std::move(p));
  if (cfg.npu.weight_prefetch)
    prefetch_weights(all, static_cast<uint64_t>(cfg.npu.weight_buffer_bytes));
  const int jobs =
      opt.jobs > 0 ? opt.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<nlohmann::json> results = run_passes(cfg, all, jobs, opt.progress);

  if (!opt.dump_tensors.empty()) {
    for (size_t t = 0; t < prog.values.size(); ++t) {
      const NpuTensorShape& s = prog.shapes[t];
      Tensor8 v(s.h, s.w, s.c);
      v.data = prog.values[t];
      write_tensor8(
          (std::filesystem::path(opt.dump_tensors) / (prog.graph.tensors[t].name + ".npy"))
              .string(),
          v);
    }
  }
  NpuRunFacts facts;
  facts.arena_bytes = arena;
  facts.raw_plan = raw_plan ? &*raw_plan : nullptr;
  measured_tensor_dram(prog, all, results, facts);
  facts.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  facts.simulations = all.size();
  std::vector<std::pair<int, int>> pass_ops;
  pass_ops.reserve(all.size());
  for (const PassJob& p : all) pass_ops.emplace_back(p.op, p.pass);
  nlohmann::json rep = npu_report(cfg, prog, plan, pass_ops, results, facts,
                                  std::make_pair(net.input.h, net.input.w));
  if (opt.compare_fuse_add) rep["fuse_add_comparison"] = compare_fuse_add(opt, cfg, rep);
  return rep;
}

nlohmann::json compare_fuse_add(const NpuOptions& opt, const Config& cfg, nlohmann::json& rep) {
  NpuOptions other = opt;
  other.compare_fuse_add = false;
  other.dump_tensors.clear();
  other.sets.push_back(cfg.npu.fuse_add ? "npu.fuse_add=false" : "npu.fuse_add=true");
  const nlohmann::json o = run_npu(other);
  const nlohmann::json& sep = cfg.npu.fuse_add ? o : rep;
  const nlohmann::json& fused = cfg.npu.fuse_add ? rep : o;
  nlohmann::json c;
  for (const char* k : {"cycles", "add_cycles", "mac_idle_cycles", "sram_peak_live_bytes"}) {
    c["separate"][k] = sep[k];
    c["fused"][k] = fused[k];
  }
  c["separate"]["dram_bytes"] = sep["dram"]["total"];
  c["fused"]["dram_bytes"] = fused["dram"]["total"];
  c["separate"]["ops"] = sep["ops"].size();
  c["fused"]["ops"] = fused["ops"].size();
  c["separate"]["bit_exact"] = sep["golden"]["match"];
  c["fused"]["bit_exact"] = fused["golden"]["match"];
  c["cycles_saved"] = sep["cycles"].get<int64_t>() - fused["cycles"].get<int64_t>();
  rep["golden"]["match"] = rep["golden"]["match"].get<bool>() && o["golden"]["match"].get<bool>();
  return c;
}

}  // namespace skipsim
