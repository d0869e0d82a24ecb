#include "tb/modes/network_mode.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/modes/find_depth.hpp"
#include "tb/modes/fused_network.hpp"
#include "tb/net/load_network.hpp"
#include "tb/net/network.hpp"
#include "tb/net/onnx_import.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/ref/golden.hpp"
#include "tb/ref/npy.hpp"

namespace skipsim {

namespace fs = std::filesystem;

namespace {

// The index of a block named `s`, or given as a 0-based index.
size_t block_index(const Network& net, const std::string& s, const std::string& range,
                   const std::string& flag = "--blocks") {
  for (size_t i = 0; i < net.blocks.size(); ++i)
    if (net.blocks[i].name == s) return i;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 6) {
    const size_t i = std::stoul(s);
    if (i < net.blocks.size()) return i;
  }
  std::vector<std::string> names;
  for (const NetBlock& b : net.blocks) names.push_back(b.name);
  throw InputError(
      fmt::format("{} '{}': no block '{}' (expected NAME, FIRST:LAST or 0-based indices below {}; "
                  "blocks: {})",
                  flag, range, s, net.blocks.size(), fmt::join(names, ", ")));
}

}  // namespace

std::pair<size_t, size_t> block_range(const Network& net, const std::string& range,
                                      const std::string& flag) {
  if (range.empty()) return {0, net.blocks.size() - 1};
  const size_t colon = range.find(':');
  if (colon == std::string::npos) {
    const size_t i = block_index(net, range, range, flag);
    return {i, i};
  }
  const size_t a = block_index(net, range.substr(0, colon), range, flag);
  const size_t b = block_index(net, range.substr(colon + 1), range, flag);
  if (b < a)
    throw InputError(fmt::format("{} '{}': the last block comes before the first", flag, range));
  return {a, b};
}

std::vector<std::string> workload_sets(const NetBlock& b) {
  const BlockParams& p = b.block;
  std::vector<std::string> s = {
      fmt::format("workload.block={}", enum_name(p.kind)),
      fmt::format("workload.input.h={}", b.in_h),
      fmt::format("workload.input.w={}", b.in_w),
      fmt::format("workload.input.c={}", b.in_c),
      fmt::format("workload.out_channels={}", b.out_c()),
      "workload.frames=1",
  };
  if (p.kind == BlockKind::kBottleneck) {
    s.push_back(fmt::format("workload.width={}", p.conv1.out_c));
    s.push_back(fmt::format("workload.stride={}", p.conv2.stride));
  }
  return s;
}

namespace {

void dump_conv(const std::string& dir, const ConvParams& p, const MaxPoolParams* pool) {
  const auto f = [&](const char* n) { return (fs::path(dir) / n).string(); };
  const size_t o = p.out_c;
  write_npy_i8(
      f("conv1.weight.npy"), p.weight,
      {o, static_cast<size_t>(p.in_c), static_cast<size_t>(p.k), static_cast<size_t>(p.k)});
  write_npy_i32(f("conv1.bias.npy"), p.bias, {o});
  write_npy_i32(f("conv1.mult.npy"), p.mult, {o});
  write_npy_i32(f("conv1.shift.npy"), p.shift, {o});
  write_npy_i32(f("conv1.stride.npy"), {p.stride}, {1});
  if (p.padding >= 0) write_npy_i32(f("conv1.pad.npy"), {p.padding}, {1});
  if (pool) write_npy_i32(f("pool.npy"), {pool->k, pool->stride, pool->pad}, {3});
}

void dump_fc(const std::string& dir, const FcParams& fc) {
  const auto f = [&](const char* n) { return (fs::path(dir) / n).string(); };
  write_npy_i8(f("fc.weight.npy"), fc.weight,
               {static_cast<size_t>(fc.out_f), static_cast<size_t>(fc.in_f)});
  write_npy_i32(f("fc.bias.npy"), fc.bias, {static_cast<size_t>(fc.out_f)});
}

// The tensors of a block without a skip path, as `run-chain` reads them (tb/modes/chain_run.hpp).
void dump_chain_block(const std::string& dir, const NetBlock& b, const Tensor8& in,
                      const Tensor8& out, const std::vector<int32_t>& logits) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw InputError(fmt::format("--dump-tensors: cannot create '{}' ({})", dir, ec.message()));
  const auto f = [&](const char* n) { return (fs::path(dir) / n).string(); };
  if (b.kind == NetBlockKind::kFc) {
    Tensor8 flat(1, 1, in.h * in.w * in.c);
    flat.data = in.data;
    write_tensor8(f("input.npy"), flat);
  } else {
    write_tensor8(f("input.npy"), in);
  }
  if (b.kind == NetBlockKind::kStem || b.kind == NetBlockKind::kConv) {
    dump_conv(dir, b.stem.conv1, b.stem.has_pool ? &b.stem.pool : nullptr);
    write_tensor8(f("output.npy"), out);
  } else if (b.kind == NetBlockKind::kFc && !b.fc.logits) {
    dump_conv(dir, b.fc.conv, nullptr);
    write_tensor8(f("output.npy"), out);
  } else if (b.kind == NetBlockKind::kFc) {
    dump_fc(dir, b.fc.fc);
    write_npy_i32(f("output.npy"), logits, {logits.size()});
  } else {
    write_npy_i32(f("pool.npy"), {b.head.pool.mult, b.head.pool.shift}, {2});
    dump_fc(dir, b.head.fc);
    write_npy_i32(f("output.npy"), logits, {logits.size()});
  }
}

// The SRAM a chain block's parameters need beyond the configured SRAM (the engines hold
// all their weights: VGG-16's first FC layer alone has 98 MiB), as a bank size, or "".
std::string chain_sram_set(const Config& cfg, const NetBlock& b) {
  uint64_t params = 0;
  if (b.kind == NetBlockKind::kFc)
    params = b.fc.logits ? b.fc.fc.weight.size() + 4 * b.fc.fc.bias.size()
                         : b.fc.conv.weight.size() + 12 * b.fc.conv.bias.size();
  const auto& sram = cfg.hardware.sram;
  const uint64_t capacity = static_cast<uint64_t>(sram.banks) * sram.bank_bytes;
  // Half the configured SRAM stays for line buffers and queues.
  if (params <= capacity / 2) return "";
  return fmt::format("hardware.sram.bank_bytes={}",
                     sram.bank_bytes + (params + sram.banks - 1) / sram.banks);
}

// A scratch folder for the children's tensors, removed when the run ends.
struct Scratch {
  std::string path;
  bool owned = false;
  ~Scratch() {
    if (owned) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

double zero_fraction(const Tensor8& t) {
  const auto zeros = std::count(t.data.begin(), t.data.end(), int8_t{0});
  return t.data.empty() ? 0.0 : static_cast<double>(zeros) / static_cast<double>(t.data.size());
}

uint64_t u64(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

// The per-block entry from a child's report (a residual block's run, or a stem's or head's
// run-chain, which has no skip FIFO).
void fill_from_run(nlohmann::json& e, const nlohmann::json& r, const Config& cfg) {
  e["cycles"] = u64(r, "cycles");
  e["finished"] = r.value("finished", false);
  if (r.contains("peak_rss_mib")) e["peak_rss_mib"] = r["peak_rss_mib"];
  if (r.contains("sim_seconds")) e["sim_seconds"] = r["sim_seconds"];
  e["deadlock"] = r.value("deadlock", false);
  if (r.contains("output")) e["matches_golden"] = r["output"].value("matches_golden", false);
  if (r.contains("fifos") && r["fifos"].contains("skip")) {
    const nlohmann::json& sk = r["fifos"]["skip"];
    const uint64_t occ = u64(sk, "max_occupancy");
    e["fifos"]["skip"]["depth"] = u64(sk, "depth");
    e["fifos"]["skip"]["max_occupancy"] = occ;
    // An entry is a beat, or with compression a word of one SRAM row.
    const int entry =
        sk.contains("compressed_bytes") ? cfg.hardware.sram.width_bytes : cfg.hardware.stream.lanes;
    e["fifos"]["skip"]["max_occupancy_bytes"] =
        skip_fifo_storage(occ, entry).sram_bytes(cfg.hardware.sram.width_bytes);
    for (const char* k : {"compression", "raw_bytes", "compressed_bytes", "compression_ratio",
                          "zero_lane_fraction", "max_occupancy_raw_bytes"})
      if (sk.contains(k)) e["fifos"]["skip"][k] = sk[k];
  }
  // Utilization of all the block's MAC arrays over the block's cycles.
  uint64_t useful = 0, engines = 0;
  nlohmann::json stalls = nlohmann::json::object();
  if (r.contains("modules")) {
    for (const auto& [name, m] : r["modules"].items()) {
      if (m.contains("useful_macs")) {
        useful += u64(m, "useful_macs");
        ++engines;
      }
      nlohmann::json s;
      for (const char* k : {"busy", "starved", "blocked", "waiting_dram"}) s[k] = u64(m, k);
      stalls[name] = s;
    }
  }
  const uint64_t cycles = u64(r, "cycles");
  const double peak = static_cast<double>(cycles) * static_cast<double>(engines) *
                      cfg.hardware.mac_array.rows * cfg.hardware.mac_array.cols;
  e["mac_utilization"] = peak > 0 ? static_cast<double>(useful) / peak : 0.0;
  e["stalls"] = stalls;
  if (r.contains("bottleneck")) e["bottleneck"] = r["bottleneck"];
  if (r.contains("dram") && r["dram"].contains("by_purpose")) e["dram"] = r["dram"]["by_purpose"];
}

// Finished results survive an interrupted run: one JSON line per finished block (its run,
// or its find-depth), after a header naming everything the results depend on. A rerun with
// the same header takes them instead of simulating again.
class Journal {
 public:
  Journal(const std::string& path, const nlohmann::json& header) : m_path(path) {
    if (path.empty()) return;
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line)) {
      nlohmann::json h = nlohmann::json::parse(line, nullptr, false);
      if (h == header) {
        while (std::getline(in, line)) {
          nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
          if (e.is_object() && e.contains("name") && e.contains("what") && e.contains("entry"))
            m_done[e["name"].get<std::string>() + "/" + e["what"].get<std::string>()] = e["entry"];
        }
        in.close();
        m_out = std::fopen(path.c_str(), "a");
      }
    }
    if (!m_out) {
      m_out = std::fopen(path.c_str(), "w");
      if (!m_out) throw InputError(fmt::format("cannot write '{}'", path));
      std::fprintf(m_out, "%s\n", header.dump().c_str());
      std::fflush(m_out);
    }
  }
  ~Journal() {
    if (m_out) std::fclose(m_out);
  }
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  // The saved result of `what` for block `name`, or nullptr.
  const nlohmann::json* find(const std::string& name, const char* what) const {
    const auto it = m_done.find(name + "/" + what);
    return it == m_done.end() ? nullptr : &it->second;
  }
  void add(const std::string& name, const char* what, const nlohmann::json& entry) {
    if (!m_out) return;
    std::fprintf(m_out, "%s\n",
                 nlohmann::json{{"name", name}, {"what", what}, {"entry", entry}}.dump().c_str());
    std::fflush(m_out);
  }
  size_t resumed() const { return m_done.size(); }

 private:
  std::string m_path;
  std::FILE* m_out = nullptr;
  std::map<std::string, nlohmann::json> m_done;
};

}  // namespace

nlohmann::json network_journal_header(const NetworkOptions& opt, const Network& net) {
  return {{"model", net.model},
          {"onnx", opt.onnx},
          {"input", {net.input.h, net.input.w, net.input.c}},
          {"image", opt.image},
          {"seed", opt.seed},
          {"config", opt.config},
          {"sets", opt.sets},
          {"unbounded_fifo", opt.unbounded_fifo},
          {"tolerance", opt.tolerance}};
}

nlohmann::json run_network(const NetworkOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config cfg = load_config(opt.config, opt.sets);
  const Network net = load_network(opt.model, opt.onnx, opt.h, opt.w, opt.seed, opt.image);
  const auto [first, last] = block_range(net, opt.blocks, "--blocks");
  std::pair<size_t, size_t> fused{0, 0};
  if (!opt.fused.empty()) fused = fused_range(net, opt.fused, first, last);
  if (!opt.vcd_block.empty() != !opt.vcd.empty())
    throw InputError("--vcd-block and --vcd go together (--vcd-block NAME --vcd FILE)");
  if (!opt.vcd_block.empty()) {
    const NetBlock& vb = net.blocks[block_index(net, opt.vcd_block, opt.vcd_block)];
    if (vb.chain())
      throw InputError(
          fmt::format("--vcd-block {}: waveforms are written for residual blocks "
                      "(the stem, head and chain layers have none yet)",
                      opt.vcd_block));
  }

  if (opt.progress)
    std::fprintf(stderr, "network: golden forward pass of %s ...", net.model.c_str());
  const NetworkTrace trace = golden_forward(net);
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");

  Scratch scratch;
  if (!opt.dump_tensors.empty()) {
    scratch.path = opt.dump_tensors;
  } else {
    std::string tmpl = (fs::temp_directory_path() / "skipsim-network-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw InputError("cannot create a scratch folder in " + tmpl);
    scratch.path = tmpl;
    scratch.owned = true;
  }

  nlohmann::json report;
  report["model"] = net.model;
  report["input"] = {net.input.h, net.input.w, net.input.c};
  report["blocks"] = nlohmann::json::array();
  uint64_t macs = 0;
  struct Job {
    size_t index;
    std::vector<std::string> sets;
    std::vector<std::string> extra;
    bool chain = false;  // stem, head, conv or fc: `run-chain`
  };
  std::vector<Job> jobs;
  for (size_t i = 0; i < net.blocks.size(); ++i) {
    const NetBlock& b = net.blocks[i];
    macs += b.macs();
    if (i < first || i > last) continue;
    nlohmann::json e;
    e["name"] = b.name;
    e["kind"] = enum_name(b.kind);
    e["projection"] = b.projection();
    e["input_shape"] = {b.in_h, b.in_w, b.in_c};
    e["output_shape"] = {b.out_h(), b.out_w(), b.out_c()};
    e["macs"] = b.macs();
    const std::string dir = (fs::path(scratch.path) / b.name).string();
    e["simulated"] = true;
    Job j{i, {}, {"--tensors", dir}};
    if (b.chain()) {
      dump_chain_block(dir, b, trace.inputs[i], trace.outputs[i], trace.logits);
      j.chain = true;
      const std::string sram = chain_sram_set(cfg, b);
      if (!sram.empty()) {
        j.sets.push_back(sram);
        e["sram_set"] = sram;
      }
    } else {
      BlockParams p = b.block;
      p.input = trace.inputs[i];
      // The tensor the skip path holds: X, or its projection.
      e["skip_zero_fraction"] = zero_fraction(p.skip ? golden_conv(p.input, *p.skip) : p.input);
      dump_block(dir, p);
      if (!opt.dump_tensors.empty())
        write_tensor8((fs::path(dir) / "output.npy").string(), trace.outputs[i]);
      j.sets = workload_sets(b);
      if (b.name == opt.vcd_block) j.extra.insert(j.extra.end(), {"--vcd", opt.vcd});
    }
    jobs.push_back(std::move(j));
    report["blocks"].push_back(e);
  }
  Journal journal(opt.journal, network_journal_header(opt, net));
  // The JSON entry of block index i.
  auto entry = [&](size_t i) -> nlohmann::json& {
    for (auto& e : report["blocks"])
      if (e["name"] == net.blocks[i].name) return e;
    throw std::logic_error("network: no entry");
  };

  // The configured NPU with each block's workload; unbounded: room for the whole skip tensor.
  auto block_sets = [&](const Job& j, bool unbounded) {
    std::vector<std::string> s = opt.sets;
    s.insert(s.end(), j.sets.begin(), j.sets.end());
    if (unbounded && !j.chain) {
      const Config c = load_config(opt.config, s);
      const UnboundedSkip u = unbounded_skip(c);
      s.push_back(fmt::format("hardware.skip_fifo.depth={}", u.depth));
      s.push_back(u.bank_bytes_set);
    }
    return s;
  };

  int parallel = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  parallel = std::max(1, parallel);
  std::map<pid_t, std::pair<size_t, ChildProc>> running;
  size_t next = 0, done = 0;
  bool all_exact = true;
  std::vector<std::string> failures;
  auto show = [&] {
    if (!opt.progress) return;
    std::fprintf(stderr, "\r  network %s: %zu/%zu blocks simulated, %zu running   ",
                 net.model.c_str(), done, jobs.size(), running.size());
  };
  // Results a previous, interrupted run saved.
  const auto merge = [](nlohmann::json& e, const nlohmann::json& saved) {
    for (const auto& [k, v] : saved.items()) e[k] = v;
  };
  std::vector<bool> resumed(jobs.size(), false);
  for (size_t k = 0; k < jobs.size(); ++k)
    if (const nlohmann::json* saved = journal.find(net.blocks[jobs[k].index].name, "run")) {
      nlohmann::json& e = entry(jobs[k].index);
      merge(e, *saved);
      resumed[k] = true;
      ++done;
      if (e.contains("error"))
        failures.push_back(
            fmt::format("{}: {}", e["name"].get<std::string>(), e["error"].get<std::string>()));
      if (!e.value("matches_golden", false)) all_exact = false;
    }
  while (done < jobs.size()) {
    while (next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      if (resumed[next]) {
        ++next;
        continue;
      }
      const Job& j = jobs[next];
      ChildProc c = spawn_run(opt.config, block_sets(j, opt.unbounded_fifo), true, j.extra,
                              j.chain ? "run-chain" : "run");
      running.emplace(c.pid, std::make_pair(next, c));
      ++next;
    }
    show();
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) continue;
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const Job& j = jobs[it->second.first];
    const ChildResult r = collect_run(it->second.second, status);
    running.erase(it);
    ++done;
    nlohmann::json run;
    run["exit_code"] = r.exit_code;
    if (r.report.is_object())
      fill_from_run(run, r.report, load_config(opt.config, block_sets(j, false)));
    if (r.exit_code != 0) {
      run["error"] = r.error;
      failures.push_back(fmt::format("{}: {}", net.blocks[j.index].name, r.error));
    }
    if (!run.value("matches_golden", false)) all_exact = false;
    merge(entry(j.index), run);
    // A child killed from outside is not a result: the next run retries it.
    if (!(r.signal && killed_from_outside(r.signal)))
      journal.add(net.blocks[j.index].name, "run", run);
  }
  if (opt.progress) std::fprintf(stderr, "\r%70s\r", "");

  if (!opt.fused.empty() && !run_fused_range(opt, net, fused, scratch.path, report, failures))
    all_exact = false;

  if (opt.find_depth) {
    // Uncompressed, the depths depend on the block's shape and the NPU, not on the data: one search
    // per distinct shape (layer3.1 ... layer3.5 share one), the searches side by side, each with
    // its share of the cores, so that no core waits for another search's last probe.
    std::vector<std::vector<std::string>> shapes;  // the distinct blocks' sets, network order
    std::map<std::string, size_t> shape_of;        // joined sets -> index in shapes
    // A compressed skip path holds what the data makes of it: then each block is searched
    // on its own tensors.
    const bool by_data = cfg.hardware.skip_fifo.compression != SkipCompression::kNone;
    const auto key_of = [&](const std::vector<std::string>& sets, const Job& j) {
      return fmt::format("{}{}", fmt::join(sets, "\n"), by_data ? "\n" + j.extra.at(1) : "");
    };
    // Saved depths serve every block of their shape (a Slurm task searched one of them).
    std::map<std::string, const nlohmann::json*> saved_depth;
    for (const Job& j : jobs)
      if (!j.chain)
        if (const nlohmann::json* d = journal.find(net.blocks[j.index].name, "depth"))
          saved_depth.emplace(key_of(block_sets(j, false), j), d);
    std::vector<std::string> tensors_of;  // per shape: the tensors directory, or empty
    for (const Job& j : jobs) {
      if (j.chain || journal.find(net.blocks[j.index].name, "depth")) continue;
      std::vector<std::string> sets = block_sets(j, false);
      if (saved_depth.count(key_of(sets, j))) continue;
      if (shape_of.emplace(key_of(sets, j), shapes.size()).second) {
        shapes.push_back(std::move(sets));
        tensors_of.push_back(by_data ? j.extra.at(1) : std::string());
      }
    }
    std::vector<nlohmann::json> found(shapes.size());
    std::vector<std::exception_ptr> errors(shapes.size());
    const size_t threads = std::min(shapes.size(), static_cast<size_t>(parallel));
    std::atomic<size_t> next_shape{0}, shapes_done{0};
    std::mutex progress_mutex;
    const auto search = [&] {
      for (size_t k = next_shape++; k < shapes.size(); k = next_shape++) {
        try {
          FindDepthOptions fo;
          fo.config = opt.config;
          fo.sets = shapes[k];
          fo.tensors = tensors_of[k];
          fo.tolerance = opt.tolerance;
          fo.jobs = std::max(1, parallel / static_cast<int>(threads));
          const FindDepthResult d = find_depth(fo);
          nlohmann::json& r = found[k];
          r["min_deadlock_free_depth"] = d.min_deadlock_free_depth;
          r["min_full_speed_depth"] = d.min_full_speed_depth;
          r["analytic_depth"] = d.analytic_depth;
          r["min_deadlock_free_depth_bytes"] = d.min_deadlock_free_bytes;
          r["min_full_speed_depth_bytes"] = d.min_full_speed_bytes;
          r["analytic_depth_bytes"] = d.analytic_bytes;
          r["find_depth_simulations"] = d.simulations;
          if (d.worst_deadlock_free_depth) {
            r["worst_deadlock_free_depth"] = d.worst_deadlock_free_depth;
            r["worst_deadlock_free_depth_bytes"] = d.worst_deadlock_free_bytes;
            r["worst_full_speed_depth"] = d.worst_full_speed_depth;
            r["worst_full_speed_depth_bytes"] = d.worst_full_speed_bytes;
          }
        } catch (...) {
          errors[k] = std::current_exception();
        }
        const size_t n = ++shapes_done;
        if (opt.progress) {
          const std::lock_guard<std::mutex> lock(progress_mutex);
          std::fprintf(stderr, "\r  find-depth: %zu/%zu block shapes searched   ", n,
                       shapes.size());
        }
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(search);
    for (std::thread& t : pool) t.join();
    for (const std::exception_ptr& e : errors)
      if (e) std::rethrow_exception(e);
    for (const Job& j : jobs) {
      if (j.chain) continue;  // no skip path
      const std::string& name = net.blocks[j.index].name;
      if (const nlohmann::json* saved = journal.find(name, "depth")) {
        merge(entry(j.index), *saved);
        continue;
      }
      const std::string key = key_of(block_sets(j, false), j);
      const auto saved = saved_depth.find(key);
      const nlohmann::json& r =
          saved != saved_depth.end() ? *saved->second : found[shape_of.at(key)];
      merge(entry(j.index), r);
      journal.add(name, "depth", r);
    }
    if (opt.progress) std::fprintf(stderr, "\r%70s\r", "");
    if (!opt.fused.empty() && !find_fused_depths(opt, net, fused, scratch.path, report, failures))
      all_exact = false;
  }

  uint64_t cycles = 0, fifo_sum = 0, fifo_max = 0, skip_raw = 0, skip_packed = 0;
  nlohmann::json dram = nlohmann::json::object();
  for (const auto& e : report["blocks"]) {
    if (!e.value("simulated", false)) continue;
    cycles += e.value("cycles", uint64_t{0});
    if (e.contains("fifos")) {
      const nlohmann::json& sk = e["fifos"]["skip"];
      const uint64_t b = sk["max_occupancy_bytes"].get<uint64_t>();
      fifo_sum += b;
      fifo_max = std::max(fifo_max, b);
      skip_raw += u64(sk, "raw_bytes");
      skip_packed += u64(sk, "compressed_bytes");
    }
    if (e.contains("dram"))
      for (const auto& [purpose, v] : e["dram"].items())
        dram[purpose] = dram.value(purpose, uint64_t{0}) + v.value("bytes", uint64_t{0});
  }
  report["cycles"] = cycles;
  report["macs"] = macs;
  report["skip_fifo_bytes_sum"] = fifo_sum;
  report["skip_fifo_bytes_max"] = fifo_max;
  report["compression"] = std::string(enum_name(cfg.hardware.skip_fifo.compression));
  if (cfg.hardware.skip_fifo.compression != SkipCompression::kNone) {
    report["skip_raw_bytes"] = skip_raw;
    report["skip_compressed_bytes"] = skip_packed;
  }
  report["dram"] = dram;
  report["bit_exact"] = all_exact && failures.empty();
  report["logits"] = {{"argmax", std::max_element(trace.logits.begin(), trace.logits.end()) -
                                     trace.logits.begin()}};
  report["failures"] = failures;
  report["resumed_results"] = journal.resumed();
  report["wall_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace skipsim
