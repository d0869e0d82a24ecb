#pragma once
// DdrConfig: the organization, timing (in DRAM clock cycles), scheduling and energy parameters
// of a DDR memory system: a plain struct with defaults (tb/config/dram_preset.cpp reads it
// from a preset file), validated before any model is built. The defaults are DDR4-3200AA
// (22-22-22), 8 Gb x8 devices, one 64-bit channel of 2 ranks (DESIGN.md section 9); configs/dram/
// holds the other presets.
#include <cstdint>
#include <string>

#include "hw/common/enum_names.hpp"

namespace skipsim {

enum class PagePolicy {
  kOpen,    // a row stays open until a conflict or a refresh closes it
  kClosed,  // every column command auto-precharges its bank
};

inline constexpr EnumName<PagePolicy> kPagePolicyNames[] = {{PagePolicy::kOpen, "open"},
                                                            {PagePolicy::kClosed, "closed"}};
constexpr const auto& enum_table(PagePolicy) { return kPagePolicyNames; }

enum class QueueStructure {
  kReadWrite,  // a read queue and a write queue, FR-FCFS over the active one
  kPerBank,    // transaction queues feeding per-bank command queues (DRAMSim3, DRAMSys)
};

inline constexpr EnumName<QueueStructure> kQueueStructureNames[] = {
    {QueueStructure::kReadWrite, "read_write"}, {QueueStructure::kPerBank, "per_bank"}};
constexpr const auto& enum_table(QueueStructure) { return kQueueStructureNames; }

enum class RefreshPolicy {
  kAllRanks,   // every rank due at the same cycle, every tREFI
  kStaggered,  // rank r due at (r + 1) tREFI / ranks, then every tREFI
};

inline constexpr EnumName<RefreshPolicy> kRefreshPolicyNames[] = {
    {RefreshPolicy::kAllRanks, "all_ranks"}, {RefreshPolicy::kStaggered, "staggered"}};
constexpr const auto& enum_table(RefreshPolicy) { return kRefreshPolicyNames; }

struct DdrConfig {
  std::string name = "DDR4-3200";

  // Organization. Every count is a power of two (addresses are decoded by bit fields).
  int channels = 1;
  int ranks = 2;
  int bank_groups = 4;
  int banks_per_group = 4;
  int64_t rows = 65536;
  int columns = 1024;    // device columns per row; a burst covers burst_length of them
  int device_width = 8;  // bits per device (x4, x8, x16, ...)
  int bus_bytes = 8;     // data bus width of one channel
  int burst_length = 8;  // beats per burst (two per clock)

  // Timing, in DRAM clock cycles (tCK_ps picoseconds each).
  int tCK_ps = 625;
  int CL = 22, CWL = 16;
  int tRCD = 22, tRP = 22, tRAS = 52;
  int tRC = 0;  // 0 = tRAS + tRP
  int tCCD_S = 4, tCCD_L = 8;
  int tRRD_S = 4, tRRD_L = 8;
  int tFAW = 34;
  int tWR = 24, tRTP = 12;
  int tWTR_S = 4, tWTR_L = 12;
  int tRFC = 560, tREFI = 12480;
  int tRTRS = 2;  // data bus gap when consecutive bursts come from different ranks
  // Idle data bus clocks between a read burst and a following write burst (DDR4's tRTW =
  // RL + BL/2 - WL + 2 with a one-clock preamble); DRAMSim3 uses tRTRS here.
  int read_to_write_gap = 2;
  bool tRTRS_write_to_write = true;  // tRTRS also between writes to different ranks
  RefreshPolicy refresh = RefreshPolicy::kAllRanks;

  // Scheduling (per channel).
  PagePolicy page_policy = PagePolicy::kOpen;
  // Fields most significant first: ch, ra, bg, ba, ro, co (co counts bursts within a row,
  // above the burst's byte offset). Bank groups below the column bits interleave a
  // sequential stream across bank groups.
  std::string address_map = "ro-ra-ba-co-bg-ch";
  int read_queue = 32;
  int write_queue = 32;
  int write_high_watermark = 24;  // write queue length that starts a write drain
  int write_low_watermark = 8;    // a drain stops here when reads are waiting
  // per_bank: read and write transaction queues of trans_queue_size each; one transaction a
  // cycle moves into its bank's command queue (cmd_queue_size); writes move in drains that
  // start when the write queue is full, or holds more than write_low_watermark with every
  // command queue empty. read_queue, write_queue and write_high_watermark are unused.
  QueueStructure queue_structure = QueueStructure::kReadWrite;
  int cmd_queue_size = 8;
  int trans_queue_size = 32;

  // Energy of one command to one rank (all its devices), in picojoules, and the rank's
  // background power in milliwatts (charged for every rank over the whole run).
  double e_act_pj = 0, e_pre_pj = 0, e_rd_pj = 0, e_wr_pj = 0, e_ref_pj = 0;
  double background_mw = 0;

  // Derived.
  int burst_bytes() const { return bus_bytes * burst_length; }
  int data_cycles() const { return burst_length / 2; }  // clocks a burst holds the data bus
  int trc() const { return tRC > 0 ? tRC : tRAS + tRP; }
  double tck_ns() const { return tCK_ps * 1e-3; }
  int banks_per_rank() const { return bank_groups * banks_per_group; }
  int total_banks() const { return channels * ranks * banks_per_rank(); }
  uint64_t capacity_bytes() const;
  // Requests a channel can hold: its queues (per_bank: both transaction queues and every
  // bank's command queue).
  int max_queued() const {
    return queue_structure == QueueStructure::kPerBank
               ? 2 * trans_queue_size + ranks * banks_per_rank() * cmd_queue_size
               : read_queue + write_queue;
  }
  double peak_gbytes_per_s() const;  // all channels, GB/s (1e9 bytes per second)
};

// Checks the cross-field rules (powers of two, watermarks below the queue size, ...); errors
// are InputErrors "config error: <source>: <path>.<key>: ...".
void validate_ddr_config(const DdrConfig& cfg, const std::string& path, const std::string& source);

}  // namespace skipsim
