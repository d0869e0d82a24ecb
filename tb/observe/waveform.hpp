#pragma once
// The waveform of a residual-block run as a VCD file GTKWave reads, plus a GTKWave save file
// (.gtkw) that groups the signals by stream and block. Every stream's valid/ready/last and
// data lanes, every buffer's fill level and each block's stall cause are sampled once per
// core cycle, after the rising edge has settled, and stamped at that edge (as an RTL
// simulator shows registers). A cycle window and scope patterns keep the file small.
// With the DDR model, scope `dram` holds its command bus at DRAM clock resolution: `cmd`
// (0 none, 1 ACT, 2 PRE, 3 RD, 4 WR, 5 REF) for the one DRAM cycle a command issues, and
// the `rank`, `bank_group`, `bank` and `row` it addressed (held until the next command).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/beat.hpp"
#include "hw/dram/ddr_controller.hpp"

namespace skipsim {

class ResidualBlock;
class DramController;

struct WaveformOptions {
  std::string path;          // the .vcd; the .gtkw goes beside it
  uint64_t first_cycle = 1;  // --vcd-window START:END (inclusive, 1-based cycles)
  uint64_t last_cycle = UINT64_MAX;
  std::vector<std::string> scopes;  // --vcd-scope globs over "stream" or "block" names
  // Size guard. The file is estimated from the signals chosen and the expected run: cycles,
  // beats each stream carries and DRAM bursts. Above max_bytes (0 = no limit) the constructor
  // refuses before writing anything.
  uint64_t expected_cycles = 0, expected_beats = 0, expected_dram_bursts = 0;
  uint64_t max_bytes = 0;
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
  // The file's estimated size (WaveformOptions::expected_*).
  uint64_t estimated_bytes() const;

 private:
  struct Var {
    std::string scope, name, id;
    int width;
    const sc_core::sc_signal<bool>* bit = nullptr;
    const sc_core::sc_signal<uint64_t>* word = nullptr;
    const sc_core::sc_signal<Beat>* beat = nullptr;
    int lane = 0;
    int dram_field = -1;  // DRAM command bus: index into m_dram_now
    uint64_t last = 0;
  };
  // A change of the DRAM command bus at a time (ps).
  struct DramChange {
    uint64_t t;
    uint64_t v[5];  // cmd, rank, bank_group, bank, row
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
  uint64_t window_cycles() const;  // cycles traced, from expected_cycles
  void sample();
  void add_dram(DramController& d);
  void take_dram_commands();
  // Writes the DRAM bus changes before time `until` (ps); drops them when !write.
  void emit_dram(uint64_t until, bool write);
  void stamp(uint64_t t);

  WaveformOptions m_opt;
  double m_period_ps;
  std::FILE* m_f = nullptr;
  std::vector<Var> m_vars;
  std::string m_clk_id;
  uint64_t m_cycle = 0;
  bool m_dumped = false;
  DramController* m_ddr = nullptr;
  uint64_t m_tck_ps = 0;
  std::vector<DdrIssued> m_cmds;
  std::vector<DramChange> m_dram_pending;  // sorted by time when emitted
  uint64_t m_dram_now[5] = {0, 0, 0, 0, 0};
  uint64_t m_last_stamp = UINT64_MAX;
};

}  // namespace skipsim
