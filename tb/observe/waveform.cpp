#include "tb/observe/waveform.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/top/residual_block.hpp"

namespace skipsim {

namespace {
// VCD identifiers: base-94 over the printable characters.
std::string vcd_id(size_t n) {
  std::string s;
  do {
    s += static_cast<char>('!' + n % 94);
    n /= 94;
  } while (n);
  return s;
}

// Megabytes for a message, in plain decimals.
std::string mb(double bytes) {
  const double m = bytes / 1e6;
  return fmt::format("{:.{}f}", m, m >= 100 ? 0 : m >= 1 ? 1 : 3);
}

std::string bits(uint64_t v, int width) {
  if (width == 1) return v ? "1" : "0";
  std::string s = "b";
  int top = width - 1;
  while (top > 0 && !((v >> top) & 1)) --top;
  for (int i = top; i >= 0; --i) s += ((v >> i) & 1) ? '1' : '0';
  return s + " ";
}
}  // namespace

void parse_vcd_window(const std::string& text, WaveformOptions& opt) {
  const auto colon = text.find(':');
  auto number = [&](const std::string& part, uint64_t dflt) -> uint64_t {
    if (part.empty()) return dflt;
    size_t used = 0;
    uint64_t v = 0;
    try {
      v = std::stoull(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || part[0] == '-' || v == 0)
      throw InputError(fmt::format(
          "--vcd-window '{}': expected START:END in cycles (1-based, either may be empty)", text));
    return v;
  };
  if (colon == std::string::npos)
    throw InputError(fmt::format("--vcd-window '{}': expected START:END in cycles", text));
  opt.first_cycle = number(text.substr(0, colon), 1);
  opt.last_cycle = number(text.substr(colon + 1), UINT64_MAX);
  if (opt.last_cycle < opt.first_cycle)
    throw InputError(fmt::format("--vcd-window '{}': END is before START", text));
}

Waveform::Waveform(sc_core::sc_module_name name, ResidualBlock& top, const WaveformOptions& opt)
    : sc_module(name), clk("clk"), m_opt(opt), m_period_ps(top.clock_period_ns() * 1000.0) {
  m_clk_id = vcd_id(0);
  const int lanes = top.engines().front()->config().lanes;
  for (const auto& s : top.streams()) {
    add_bit(s->name, "valid", s->valid);
    add_bit(s->name, "ready", s->ready);
    add_bit(s->name, "last", s->last);
    add_beat(s->name, "data", s->data, lanes);
  }
  for (HwBlock* b : top.blocks())
    add_word(b->block_name(), "stall_state", b->state_probe.enable(), 3);
  top.skip_fifo().enable_occupancy_trace();
  add_word("skip_fifo", "occupancy", top.skip_fifo().occupancy_trace, 32);
  for (HwBlock* b : top.blocks()) {
    if (auto* f = dynamic_cast<Fork*>(b))
      add_word("fork", "queue_occupancy", f->queue_probe.enable(), 2);
    if (auto* a = dynamic_cast<Add*>(b)) {
      add_word("add", "main_queue_occupancy", a->main_probe.enable(), 2);
      add_word("add", "skip_queue_occupancy", a->skip_probe.enable(), 2);
    }
  }
  for (ConvEngine* e : top.engines()) {
    add_word(e->block_name(), "line_buffer_pixels", e->line_buffer_probe.enable(), 32);
    add_word(e->block_name(), "out_queue_pixels", e->out_queue_probe.enable(), 8);
  }
  if (top.dram_controller() && wanted("dram")) add_dram(*top.dram_controller());
  // One scope per stream or block, in the order they first appear.
  std::vector<std::string> order;
  for (const Var& v : m_vars)
    if (std::find(order.begin(), order.end(), v.scope) == order.end()) order.push_back(v.scope);
  std::stable_sort(m_vars.begin(), m_vars.end(), [&](const Var& a, const Var& b) {
    return std::find(order.begin(), order.end(), a.scope) <
           std::find(order.begin(), order.end(), b.scope);
  });
  const uint64_t estimate = estimated_bytes();
  if (opt.max_bytes && estimate > opt.max_bytes)
    throw InputError(fmt::format(
        "--vcd '{}': the waveform would take about {} MB ({} signals over ~{} cycles), "
        "above the {:g} MB limit; narrow it with --vcd-window START:END or --vcd-scope GLOB, "
        "or raise --vcd-max-mb (0 = no limit)",
        opt.path, mb(static_cast<double>(estimate)), m_vars.size() + 1, window_cycles(),
        opt.max_bytes / 1e6));
  m_f = std::fopen(opt.path.c_str(), "w");
  if (!m_f) throw InputError(fmt::format("cannot write '{}'", opt.path));
  write_header();
  write_gtkw();
  SC_METHOD(sample);
  sensitive << clk.neg();
  dont_initialize();
}

uint64_t Waveform::window_cycles() const {
  const uint64_t last = std::min(m_opt.last_cycle, m_opt.expected_cycles);
  return last >= m_opt.first_cycle ? last - m_opt.first_cycle + 1 : 0;
}

// Per cycle two time stamps and two clock edges; per beat a change of each stream and block
// signal (lanes of random int8 data, levels and states); per DRAM burst about two commands.
// Within about 1.5x of the files written for the shipped blocks.
uint64_t Waveform::estimated_bytes() const {
  const uint64_t n = window_cycles();
  const uint64_t end_ps = static_cast<uint64_t>(
      static_cast<double>(std::min(m_opt.last_cycle, m_opt.expected_cycles)) * m_period_ps);
  const uint64_t stamp = 2 + std::to_string(end_ps).size();
  uint64_t per_beat = 0, per_burst = 0, header = 64;
  for (const Var& v : m_vars) {
    const uint64_t change = v.width == 1 ? v.id.size() + 2 : std::min(v.width, 8) + v.id.size() + 3;
    (v.dram_field >= 0 ? per_burst : per_beat) += change;
    header += 2 * (v.scope.size() + v.name.size()) + 48;
  }
  per_burst = 4 * per_burst + 4 * stamp;
  const double share = m_opt.expected_cycles
                           ? static_cast<double>(n) / static_cast<double>(m_opt.expected_cycles)
                           : 0.0;
  return header + n * (2 * stamp + 2 * (m_clk_id.size() + 2)) +
         static_cast<uint64_t>(share * static_cast<double>(m_opt.expected_beats * per_beat +
                                                           m_opt.expected_dram_bursts * per_burst));
}

void Waveform::add_dram(DramController& d) {
  m_ddr = &d;
  m_tck_ps = d.cycle_time().value() / sc_core::sc_time(1, sc_core::SC_PS).value();
  d.enable_command_log();
  const DdrConfig& c = d.controller().config();
  auto width = [](uint64_t n) {
    int w = 1;
    while ((uint64_t{1} << w) < n) ++w;
    return w;
  };
  const int widths[5] = {3, width(static_cast<uint64_t>(c.channels) * c.ranks),
                         width(static_cast<uint64_t>(c.bank_groups)),
                         width(static_cast<uint64_t>(c.banks_per_group)),
                         width(static_cast<uint64_t>(c.rows))};
  const char* names[5] = {"cmd", "rank", "bank_group", "bank", "row"};
  for (int f = 0; f < 5; ++f) {
    Var v;
    v.scope = "dram";
    v.name = names[f];
    v.width = widths[f];
    v.dram_field = f;
    v.id = vcd_id(m_vars.size() + 1);
    m_vars.push_back(v);
  }
}

// Commands from the controller's log become bus changes: the command for one DRAM cycle,
// then cmd back to 0 unless another command follows at once.
void Waveform::take_dram_commands() {
  m_cmds.clear();
  m_ddr->take_commands(m_cmds);
  if (m_cmds.empty()) return;
  const int ranks = m_ddr->controller().config().ranks;
  for (const DdrIssued& c : m_cmds) {
    const uint64_t t = c.cycle * m_tck_ps;
    DramChange ch{t,
                  {static_cast<uint64_t>(c.cmd) + 1,
                   static_cast<uint64_t>(c.target.channel * ranks + c.target.rank),
                   static_cast<uint64_t>(c.target.bank_group), static_cast<uint64_t>(c.target.bank),
                   static_cast<uint64_t>(std::max<int64_t>(c.target.row, 0))}};
    m_dram_pending.push_back(ch);
    ch.t = t + m_tck_ps;
    ch.v[0] = 0;
    m_dram_pending.push_back(ch);
  }
  std::stable_sort(m_dram_pending.begin(), m_dram_pending.end(),
                   [](const DramChange& a, const DramChange& b) { return a.t < b.t; });
}

void Waveform::stamp(uint64_t t) {
  if (t == m_last_stamp) return;
  std::fprintf(m_f, "#%llu\n", static_cast<unsigned long long>(t));
  m_last_stamp = t;
}

void Waveform::emit_dram(uint64_t until, bool write) {
  size_t n = 0;
  while (n < m_dram_pending.size() && m_dram_pending[n].t < until) {
    const DramChange& c = m_dram_pending[n];
    // A command at the same time as the end of the previous one wins over its cmd = 0.
    const bool superseded = c.v[0] == 0 && n + 1 < m_dram_pending.size() &&
                            m_dram_pending[n + 1].t == c.t && m_dram_pending[n + 1].v[0] != 0;
    ++n;
    if (superseded) continue;
    for (Var& v : m_vars) {
      if (v.dram_field < 0) continue;
      const uint64_t x =
          v.dram_field == 0 || c.v[0] != 0 ? c.v[v.dram_field] : m_dram_now[v.dram_field];
      m_dram_now[v.dram_field] = x;
      if (!write || x == v.last) continue;
      stamp(std::max(c.t, m_last_stamp == UINT64_MAX ? 0 : m_last_stamp));
      std::fprintf(m_f, "%s%s\n", bits(x, v.width).c_str(), v.id.c_str());
      v.last = x;
    }
  }
  m_dram_pending.erase(m_dram_pending.begin(), m_dram_pending.begin() + static_cast<long>(n));
}

Waveform::~Waveform() {
  if (m_f) std::fclose(m_f);
}

bool Waveform::wanted(const std::string& scope) const {
  if (m_opt.scopes.empty()) return true;
  for (const auto& p : m_opt.scopes)
    if (fnmatch(p.c_str(), scope.c_str(), 0) == 0) return true;
  return false;
}

void Waveform::add_bit(const std::string& scope, const std::string& name,
                       const sc_core::sc_signal<bool>& s) {
  if (!wanted(scope)) return;
  Var v;
  v.scope = scope;
  v.name = name;
  v.width = 1;
  v.bit = &s;
  v.id = vcd_id(m_vars.size() + 1);
  m_vars.push_back(v);
}

void Waveform::add_word(const std::string& scope, const std::string& name,
                        const sc_core::sc_signal<uint64_t>& s, int width) {
  if (!wanted(scope)) return;
  Var v;
  v.scope = scope;
  v.name = name;
  v.width = width;
  v.word = &s;
  v.id = vcd_id(m_vars.size() + 1);
  m_vars.push_back(v);
}

void Waveform::add_beat(const std::string& scope, const std::string& name,
                        const sc_core::sc_signal<Beat>& s, int lanes) {
  if (!wanted(scope)) return;
  for (int l = 0; l < lanes; ++l) {
    Var v;
    v.scope = scope;
    v.name = fmt::format("{}_l{}", name, l);
    v.width = 8;
    v.beat = &s;
    v.lane = l;
    v.id = vcd_id(m_vars.size() + 1);
    m_vars.push_back(v);
  }
}

uint64_t Waveform::value(const Var& v) const {
  if (v.dram_field >= 0) return m_dram_now[v.dram_field];
  if (v.bit) return v.bit->read();
  if (v.word) return v.word->read() & (v.width >= 64 ? ~0ull : ((1ull << v.width) - 1));
  return static_cast<uint8_t>(v.beat->read().lane[v.lane]);
}

void Waveform::write_header() {
  std::fprintf(m_f, "$version skipsim $end\n$timescale 1ps $end\n$scope module top $end\n");
  std::fprintf(m_f, "$var wire 1 %s clk $end\n", m_clk_id.c_str());
  std::string scope;
  for (const Var& v : m_vars) {
    if (v.scope != scope) {
      if (!scope.empty()) std::fprintf(m_f, "$upscope $end\n");
      scope = v.scope;
      std::fprintf(m_f, "$scope module %s $end\n", scope.c_str());
    }
    std::fprintf(m_f, "$var wire %d %s %s%s $end\n", v.width, v.id.c_str(), v.name.c_str(),
                 v.width > 1 ? fmt::format(" [{}:0]", v.width - 1).c_str() : "");
  }
  if (!scope.empty()) std::fprintf(m_f, "$upscope $end\n");
  std::fprintf(m_f, "$upscope $end\n$enddefinitions $end\n");
}

// Groups per stream and block; lanes as signed decimal, levels and states as decimal.
void Waveform::write_gtkw() const {
  std::filesystem::path g(m_opt.path);
  g.replace_extension(".gtkw");
  std::FILE* f = std::fopen(g.c_str(), "w");
  if (!f) return;
  // The dump file by its name alone: the pair stays together wherever it is moved.
  const auto start_ps = static_cast<uint64_t>(std::llround((m_opt.first_cycle - 1) * m_period_ps));
  std::fprintf(f, "[dumpfile] \"%s\"\n[timestart] %llu\n[size] 1600 900\n[signals_width] 300\n",
               std::filesystem::path(m_opt.path).filename().c_str(),
               static_cast<unsigned long long>(start_ps));
  std::fprintf(f, "@28\ntop.clk\n");
  std::string scope;
  for (const Var& v : m_vars) {
    if (v.scope != scope) {
      if (!scope.empty()) std::fprintf(f, "@1000200\n-%s\n", scope.c_str());
      scope = v.scope;
      std::fprintf(f, "@800200\n-%s\n", scope.c_str());
    }
    const char* flags = v.width == 1 ? "28" : v.beat ? "424" : "24";
    std::fprintf(f, "@%s\ntop.%s.%s%s\n", flags, v.scope.c_str(), v.name.c_str(),
                 v.width > 1 ? fmt::format("[{}:0]", v.width - 1).c_str() : "");
  }
  if (!scope.empty()) std::fprintf(f, "@1000200\n-%s\n", scope.c_str());
  std::fclose(f);
}

void Waveform::sample() {
  ++m_cycle;
  const auto t_pos = static_cast<uint64_t>(std::llround((m_cycle - 1) * m_period_ps));
  const auto t_neg = static_cast<uint64_t>(std::llround((m_cycle - 0.5) * m_period_ps));
  if (m_ddr) take_dram_commands();
  if (m_cycle < m_opt.first_cycle || m_cycle > m_opt.last_cycle) {
    if (m_ddr) emit_dram(t_neg, false);
    return;
  }
  if (m_ddr && m_dumped) emit_dram(t_pos, true);
  stamp(t_pos);
  if (!m_dumped) std::fprintf(m_f, "$dumpvars\n");
  std::fprintf(m_f, "1%s\n", m_clk_id.c_str());
  for (Var& v : m_vars) {
    if (m_dumped && v.dram_field >= 0) continue;
    const uint64_t x = value(v);
    if (m_dumped && x == v.last) continue;
    v.last = x;
    std::fprintf(m_f, "%s%s\n", bits(x, v.width).c_str(), v.id.c_str());
  }
  if (!m_dumped) {
    std::fprintf(m_f, "$end\n");
    m_dumped = true;
  }
  if (m_ddr) emit_dram(t_neg, true);
  stamp(t_neg);
  std::fprintf(m_f, "0%s\n", m_clk_id.c_str());
}

}  // namespace skipsim
