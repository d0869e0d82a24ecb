#pragma once
// The waveform of a residual-block run as a VCD file GTKWave reads, plus a GTKWave save file
// (.gtkw) that groups the signals by stream and block. Every stream's valid/ready/last and
// data lanes, every buffer's fill level and each block's stall cause are sampled once per
// core cycle, after the rising edge has settled, and stamped at that edge (as an RTL
// simulator shows registers). A cycle window and scope patterns keep the file small.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/beat.hpp"

namespace skipsim {

class ResidualBlock;

struct WaveformOptions {
  std::string path;          // the .vcd; the .gtkw goes beside it
  uint64_t first_cycle = 1;  // --vcd-window START:END (inclusive, 1-based cycles)
  uint64_t last_cycle = UINT64_MAX;
  std::vector<std::string> scopes;  // --vcd-scope globs over "stream" or "block" names
};

// Parses "START:END" (either side may be empty) into the options; throws InputError.
void parse_vcd_window(const std::string& text, WaveformOptions& opt);

class Waveform : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Waveform);
  sc_core::sc_in<bool> clk;

  Waveform(sc_core::sc_module_name name, ResidualBlock& top, const WaveformOptions& opt);
  ~Waveform() override;

  size_t signal_count() const { return m_vars.size(); }

 private:
  struct Var {
    std::string scope, name, id;
    int width;
    const sc_core::sc_signal<bool>* bit = nullptr;
    const sc_core::sc_signal<uint64_t>* word = nullptr;
    const sc_core::sc_signal<Beat>* beat = nullptr;
    int lane = 0;
    uint64_t last = 0;
  };
  void add_bit(const std::string& scope, const std::string& name,
               const sc_core::sc_signal<bool>& s);
  void add_word(const std::string& scope, const std::string& name,
                const sc_core::sc_signal<uint64_t>& s, int width);
  void add_beat(const std::string& scope, const std::string& name,
                const sc_core::sc_signal<Beat>& s, int lanes);
  bool wanted(const std::string& scope) const;
  uint64_t value(const Var& v) const;
  void write_header();
  void write_gtkw() const;
  void sample();

  WaveformOptions m_opt;
  double m_period_ps;
  std::FILE* m_f = nullptr;
  std::vector<Var> m_vars;
  std::string m_clk_id;
  uint64_t m_cycle = 0;
  bool m_dumped = false;
};

}  // namespace skipsim
