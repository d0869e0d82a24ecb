#include "tb/modes/dram_trace.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/dram/ddr_controller.hpp"
#include "tb/config/dram_preset.hpp"
#include "tb/observe/stats_json.hpp"

namespace skipsim {
namespace {

struct TraceLine {
  uint64_t addr = 0;
  bool is_write = false;
  uint64_t cycle = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == ','; }

std::string_view next_token(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  size_t j = i;
  while (j < s.size() && !is_space(s[j])) ++j;
  const std::string_view tok = s.substr(i, j - i);
  s.remove_prefix(j);
  return tok;
}

bool parse_u64(std::string_view t, uint64_t& v) {
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    base = 16;
  }
  if (t.empty()) return false;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  return ec == std::errc() && end == t.data() + t.size();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// Parses one line; false for blank and comment lines. Throws InputError when malformed.
// What a line may ask of the DRAM: addresses inside it, arrival cycles below 2^62 (idle time
// costs nothing: the controller jumps over idle refresh rounds; the bound keeps every cycle
// sum far from overflowing 64 bits).
struct TraceLimits {
  uint64_t capacity = 0;
  uint64_t max_cycle = 0;
};

TraceLimits trace_limits(const DdrConfig& cfg) {
  TraceLimits lim;
  lim.capacity = cfg.capacity_bytes();
  lim.max_cycle = uint64_t{1} << 62;
  return lim;
}

bool parse_line(std::string_view s, TraceLine& out, const std::string& file, uint64_t line_no,
                uint64_t prev_cycle, const TraceLimits& lim) {
  if (const size_t hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
  std::string_view rest = s;
  const std::string_view a = next_token(rest);
  if (a.empty()) return false;
  const std::string_view op = next_token(rest);
  const std::string_view cyc = next_token(rest);
  const std::string_view extra = next_token(rest);
  const auto bad = [&](const std::string& what) {
    std::string shown(s.substr(0, 80));
    while (!shown.empty() && is_space(shown.back())) shown.pop_back();
    throw InputError(fmt::format("trace error: {}:{}: {}, got '{}'", file, line_no, what, shown));
  };
  const char* kExpected = "expected 'ADDR READ|WRITE CYCLE' (ADDR 0x hex or decimal)";
  if (!parse_u64(a, out.addr)) bad(fmt::format("{}: bad address", kExpected));
  if (iequals(op, "READ")) {
    out.is_write = false;
  } else if (iequals(op, "WRITE")) {
    out.is_write = true;
  } else {
    bad(fmt::format("{}: bad operation", kExpected));
  }
  if (cyc.empty() || !parse_u64(cyc, out.cycle)) bad(fmt::format("{}: bad cycle", kExpected));
  if (!extra.empty()) bad(fmt::format("{}: extra field", kExpected));
  if (out.cycle < prev_cycle) {
    bad(fmt::format("expected a cycle of at least {} (the previous line's)", prev_cycle));
  }
  if (out.addr >= lim.capacity) {
    bad(fmt::format("expected an address below the DRAM capacity 0x{:x} ({} bytes)", lim.capacity,
                    lim.capacity));
  }
  if (out.cycle > lim.max_cycle) {
    bad(fmt::format("expected a cycle of at most {} (2^62)", lim.max_cycle));
  }
  return true;
}

// The common line `0xHEX READ|WRITE DECIMAL` (single blanks, no comment), parsed without
// the general tokenizer; anything else returns false and goes through parse_line.
bool parse_plain_line(std::string_view s, TraceLine& out, uint64_t prev_cycle,
                      const TraceLimits& lim) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  const char* p = s.data();
  const char* end = p + s.size();
  if (end - p < 3 || p[0] != '0' || p[1] != 'x') return false;
  p += 2;
  uint64_t a = 0;
  const char* digits = p;
  for (; p < end; ++p) {
    const char c = *p;
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint64_t>(c - 'a') + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint64_t>(c - 'A') + 10;
    } else {
      break;
    }
    a = a << 4 | d;
  }
  if (p == digits || p - digits > 16 || p == end || *p != ' ') return false;
  ++p;
  bool write;
  if (end - p >= 5 && std::string_view(p, 5) == "READ ") {
    write = false;
    p += 5;
  } else if (end - p >= 6 && std::string_view(p, 6) == "WRITE ") {
    write = true;
    p += 6;
  } else {
    return false;
  }
  uint64_t c = 0;
  digits = p;
  for (; p < end && *p >= '0' && *p <= '9'; ++p) c = c * 10 + static_cast<uint64_t>(*p - '0');
  if (p != end || p == digits || p - digits > 18 || c < prev_cycle) return false;
  if (a >= lim.capacity || c > lim.max_cycle) return false;
  out.addr = a;
  out.is_write = write;
  out.cycle = c;
  return true;
}

// Reads a file line by line in large blocks (the last line may lack its newline).
class LineReader {
 public:
  explicit LineReader(std::FILE* f) : m_f(f), m_buf(1 << 20) {}
  bool next(std::string_view& line) {
    while (true) {
      const char* nl =
          static_cast<const char*>(std::memchr(m_buf.data() + m_pos, '\n', m_len - m_pos));
      if (nl) {
        line = std::string_view(m_buf.data() + m_pos,
                                static_cast<size_t>(nl - (m_buf.data() + m_pos)));
        m_pos = static_cast<size_t>(nl - m_buf.data()) + 1;
        return true;
      }
      if (m_eof) {
        if (m_pos == m_len) return false;
        line = std::string_view(m_buf.data() + m_pos, m_len - m_pos);
        m_pos = m_len;
        return true;
      }
      // Keep the partial line, grow if it fills the buffer, read more.
      std::memmove(m_buf.data(), m_buf.data() + m_pos, m_len - m_pos);
      m_len -= m_pos;
      m_pos = 0;
      if (m_len == m_buf.size()) m_buf.resize(m_buf.size() * 2);
      const size_t n = std::fread(m_buf.data() + m_len, 1, m_buf.size() - m_len, m_f);
      m_len += n;
      if (n == 0) m_eof = true;
    }
  }

 private:
  std::FILE* m_f;
  std::vector<char> m_buf;
  size_t m_pos = 0, m_len = 0;
  bool m_eof = false;
};

std::string fmt_count(uint64_t v) { return fmt::format("{}", v); }

void print_table(const StatsNode& j, std::ostream& out) {
  const auto row = [&](const std::string& k, const std::string& v) {
    out << fmt::format("  {:<28} {}\n", k, v);
  };
  out << fmt::format("DRAM trace: {} ({} requests)\n", j.str("config"), j.u64("requests"));
  row("total_cycles", fmt_count(j.u64("total_cycles")));
  row("total_time", fmt::format("{:.3f} us", j.num("total_ns") / 1000.0));
  row("reads / writes", fmt::format("{} / {}", j.u64("reads"), j.u64("writes")));
  row("bandwidth",
      fmt::format("{:.3f} GB/s ({:.1f}% of peak {:.1f} GB/s)", j.num("bandwidth_gbps"),
                  100.0 * j.num("bandwidth_fraction_of_peak"), j.num("peak_bandwidth_gbps")));
  row("data bus utilization", fmt::format("{:.1f}%", 100.0 * j.num("utilization")));
  for (const char* kind : {"read_latency", "write_latency"}) {
    const StatsNode& l = j.at(kind);
    row(std::string(kind) + " (cycles)",
        fmt::format("avg {:.2f}  p50 {}  p99 {}  max {}", l.num("avg"), l.u64("p50"), l.u64("p99"),
                    l.u64("max")));
  }
  row("avg wait for a queue slot", fmt::format("{:.2f} cycles", j.num("avg_wait_cycles")));
  row("row hits / misses / conflicts",
      fmt::format("{} / {} / {} (hit rate {:.1f}%)", j.u64("row_hits"), j.u64("row_misses"),
                  j.u64("row_conflicts"), 100.0 * j.num("row_hit_rate")));
  const StatsNode& c = j.at("commands");
  row("ACT / PRE / RD / WR / REF", fmt::format("{} / {} / {} / {} / {}", c.u64("ACT"), c.u64("PRE"),
                                               c.u64("RD"), c.u64("WR"), c.u64("REF")));
  const StatsNode& e = j.at("energy_pj");
  row("energy", fmt::format("{:.3f} uJ (background {:.3f} uJ)", e.num("total") * 1e-6,
                            e.num("background") * 1e-6));
  row("simulation", fmt::format("{:.3f} s, {:.0f} requests/s", j.num("sim_seconds"),
                                j.num("requests_per_second")));
}

}  // namespace

int run_dram_trace(const std::string& config_path, const std::string& trace_path,
                   const std::string& csv_path, bool json, std::ostream& out) {
  const DdrConfig cfg = dram_config_for_trace(config_path);
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(trace_path.c_str(), "rb"),
                                                           &std::fclose);
  if (!in) throw InputError(fmt::format("trace error: {}: cannot open the file", trace_path));
  LineReader reader(in.get());
  std::FILE* csv = nullptr;
  if (!csv_path.empty()) {
    csv = std::fopen(csv_path.c_str(), "w");
    if (!csv) throw InputError(fmt::format("cannot write {}", csv_path));
  }
  const auto start = std::chrono::steady_clock::now();

  DdrController ctl(cfg);
  // Per request, kept only for the CSV: address, arrival, accepted, done.
  std::vector<uint64_t> r_addr, r_arrival, r_accepted, r_done;
  std::vector<bool> r_write;
  std::vector<DdrCompletion> completed;
  const auto collect = [&] {
    ctl.take_completed(completed);
    if (csv) {
      for (const DdrCompletion& c : completed) r_done[c.id] = c.done_cycle;
    }
  };

  const TraceLimits lim = trace_limits(cfg);
  uint64_t line_no = 0, requests = 0, prev_cycle = 0, wait_sum = 0, last_accepted = 0;
  const bool one_per_cycle = cfg.queue_structure == QueueStructure::kPerBank;
  TraceLine t;
  try {
    std::string_view line;
    while (reader.next(line)) {
      ++line_no;
      if (!parse_plain_line(line, t, prev_cycle, lim) &&
          !parse_line(line, t, trace_path, line_no, prev_cycle, lim))
        continue;
      prev_cycle = t.cycle;
      ctl.advance_to(t.cycle);
      // per_bank: one request a cycle enters the transaction queues (DRAMSim3's front end).
      if (one_per_cycle && requests > 0 && ctl.now() - 1 <= last_accepted) {
        ctl.advance_to(last_accepted + 1);
      }
      while (!ctl.can_accept(t.addr, t.is_write)) ctl.advance_to(ctl.next_event_cycle());
      const uint64_t accepted = ctl.now() - 1;
      last_accepted = accepted;
      ctl.enqueue(t.addr, t.is_write, accepted);
      wait_sum += accepted - t.cycle;
      ++requests;
      if (csv) {
        r_addr.push_back(t.addr);
        r_write.push_back(t.is_write);
        r_arrival.push_back(t.cycle);
        r_accepted.push_back(accepted);
        r_done.push_back(0);
      }
      collect();
    }
    while (ctl.pending() > 0) ctl.advance_to(ctl.next_event_cycle());
    collect();
  } catch (...) {
    if (csv) std::fclose(csv);
    throw;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (csv) {
    std::fputs("idx,addr,is_write,arrival,accepted,done\n", csv);
    for (size_t i = 0; i < r_addr.size(); ++i) {
      std::fprintf(csv, "%zu,0x%llx,%d,%llu,%llu,%llu\n", i,
                   static_cast<unsigned long long>(r_addr[i]), r_write[i] ? 1 : 0,
                   static_cast<unsigned long long>(r_arrival[i]),
                   static_cast<unsigned long long>(r_accepted[i]),
                   static_cast<unsigned long long>(r_done[i]));
    }
    const bool ok = std::fflush(csv) == 0;
    std::fclose(csv);
    if (!ok) throw InputError(fmt::format("cannot write {}", csv_path));
  }

  StatsNode j;
  ctl.report(j);
  j.set("config", cfg.name)
      .set("requests", requests)
      .set("avg_wait_cycles", requests ? static_cast<double>(wait_sum) / requests : 0.0)
      .set("sim_seconds", seconds)
      .set("requests_per_second", seconds > 0 ? requests / seconds : 0.0);
  if (json) {
    out << stats_to_json(j).dump(2) << "\n";
  } else {
    print_table(j, out);
  }
  return 0;
}

uint64_t parse_dram_trace(std::string_view text, const std::string& file) {
  const TraceLimits lim = trace_limits(DdrConfig{});  // the default preset's limits
  uint64_t line_no = 0, requests = 0, prev_cycle = 0;
  TraceLine t;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!parse_plain_line(line, t, prev_cycle, lim) &&
        !parse_line(line, t, file, line_no, prev_cycle, lim))
      continue;
    prev_cycle = t.cycle;
    ++requests;
  }
  return requests;
}

}  // namespace skipsim
