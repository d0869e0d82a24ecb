#pragma once
// DdrController: a cycle-exact DDR command scheduler in plain C++, counted in DRAM clock
// cycles, with no notion of a simulation kernel. It is event-driven: it never walks idle
// cycles, it computes the next cycle at which some command becomes legal and jumps there
// (the caller asks next_event_cycle() and calls advance_to()). With no request queued, the
// refresh rounds repeat every tREFI: advance_to() jumps over them in O(1), whatever the gap.
//
// Per channel: a read queue and a write queue (requests leave them when their column command
// issues); FR-FCFS within the active queue (among commands legal at a cycle: column commands
// of row hits first, then the oldest request); writes are drained from when the write queue
// reaches the high watermark (or no read is waiting) until it falls to the low watermark
// (reads waiting) or empties; all-bank refresh of each rank every tREFI (open banks are
// precharged, then REF; the rank's requests wait from the due cycle until REF has issued);
// open or closed page policy (closed: RD/WR auto-precharge at the earliest legal PRE cycle,
// with no command bus slot, counted as a PRE). At most one command per channel per cycle.
//
// Timing: tRCD, tRP, tRAS, tRC, tRRD_S/L, tFAW, tCCD_S/L, tWTR_S/L (from the end of the
// write data), tRTP, tWR (from the end of the write data), tRFC; the data bus carries one
// burst at a time: a read's data occupies [RD + CL, RD + CL + BL/2), a write's
// [WR + CWL, WR + CWL + BL/2); a burst from another rank than the previous one starts tRTRS
// later, a write after a read read_to_write_gap later (DDR4's tRTW = RL + BL/2 - WL + 2).
//
// queue_structure per_bank (ddr_bank_queues.cpp) replaces the read/write queues by DRAMSim3's
// structure: read and write transaction queues, one transaction a cycle moving into its
// bank's command queue, and per cycle the first ready command of the first bank queue in
// round-robin order after the last one served (a queue's commands in order; PRE only for its
// oldest command, and not while a queued command hits the open row unless four column
// commands have used it). Reads to an address with a queued write are served from it (done
// the next cycle), a write to such an address replaces the queued one.
//
// Pipeline: a request accepted at cycle a can have its first command issue at a + 1
// (kPipeline). Completion `done` is the cycle the last data beat is on the bus, RD + CL + BL/2
// or WR + CWL + BL/2; on an idle DDR4-3200 a read takes 27 (row hit), 49 (closed bank) or
// 71 (row conflict) cycles from acceptance.
#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "hw/dram/address_map.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/dram/dram_stats.hpp"

namespace skipsim {

enum class DdrCommand : uint8_t { kAct, kPre, kRd, kWr, kRef };
const char* to_string(DdrCommand c);

struct DdrCompletion {
  uint64_t id = 0;
  uint64_t done_cycle = 0;
  bool is_write = false;
};

// One issued command (the optional log, for tests and debugging).
struct DdrIssued {
  uint64_t cycle = 0;
  DdrCommand cmd = DdrCommand::kAct;
  DramAddress target;    // REF: channel and rank only
  uint64_t request = 0;  // id of the request it served, kNoRequest for refresh
};

class DdrController {
 public:
  static constexpr uint64_t kNever = ~uint64_t{0};
  static constexpr uint64_t kNoRequest = ~uint64_t{0};
  static constexpr int kPipeline = 1;

  explicit DdrController(const DdrConfig& cfg);

  const DdrConfig& config() const { return m_cfg; }
  const AddressMap& address_map() const { return m_map; }

  // Whether the queue addr maps to has room for one more request.
  bool can_accept(uint64_t addr, bool is_write) const;
  // Accepts a request at `cycle` (>= now() - 1: the cycle must not be simulated past its
  // first command opportunity) and returns its id (0, 1, 2, ... in enqueue order). The
  // caller checks can_accept first.
  uint64_t enqueue(uint64_t addr, bool is_write, uint64_t cycle);

  // Issues every command due up to and including `cycle`; now() becomes cycle + 1.
  void advance_to(uint64_t cycle);
  // The next cycle (>= now()) at which a command will issue unless a request is enqueued
  // before it; refreshes make this finite even when the queues are empty.
  uint64_t next_event_cycle();
  // The first cycle not yet simulated.
  uint64_t now() const { return m_now; }
  // Requests accepted whose column command has not issued.
  uint64_t pending() const { return m_pending; }

  // Moves the completions gathered so far into `out` (cleared first). A request completes
  // when its column command issues; its done_cycle may lie ahead of now().
  void take_completed(std::vector<DdrCompletion>& out);

  const DdrStats& stats() const { return m_stats; }
  // The statistics over [0, max(now, last data beat)).
  void report(StatsNode& node) const;

  // --- Test hooks: the timing rules themselves, without the scheduler. ---
  void set_log(bool on) { m_log_on = on; }
  // Whether idle refresh rounds are skipped in O(1) (on by default; the log turns it off,
  // since every REF is logged).
  void set_idle_skip(bool on) { m_idle_skip = on; }
  void clear_log() { m_log.clear(); }
  const std::vector<DdrIssued>& log() const { return m_log; }
  // The earliest cycle >= now() at which `cmd` to `t` meets every timing constraint given
  // the commands issued so far, or kNever when the bank state forbids it (RD/WR to a closed
  // bank or another row, ACT to an open bank, PRE to a closed one, REF with a bank open).
  uint64_t earliest(DdrCommand cmd, const DramAddress& t) const;
  bool is_legal(DdrCommand cmd, const DramAddress& t, uint64_t cycle) const {
    const uint64_t e = earliest(cmd, t);
    return e != kNever && cycle >= e;
  }
  // Issues `cmd` at `cycle` (the scheduler does not run; now() becomes cycle + 1). Throws
  // std::logic_error when it is not legal.
  void issue(DdrCommand cmd, const DramAddress& t, uint64_t cycle);

 private:
  struct Request {
    uint64_t id;
    uint64_t accepted;
    uint64_t eligible;  // first cycle a command may serve it
    int64_t row;
    int bank;   // flat bank index
    int rank;   // flat rank index
    int group;  // flat (rank, bank group) index
    int column;
    uint64_t addr;    // per_bank: the burst address (forwarding, merging)
    bool write;       // per_bank
    bool after_read;  // per_bank, a write: reads of its burst were queued when it came
    int prev, next;   // neighbours in its bank's list (slots of the same queue), -1 at the ends
    uint8_t kind;     // 0 not yet classified, 1 hit, 2 miss, 3 conflict
  };
  // A bank's candidate in a queue: the only request of the bank that can win (its oldest row
  // hit when it has one, else its oldest request), the least cycle the bank's own timing and
  // the request allow, and its FR-FCFS tie order, (not a hit) << 63 | id.
  struct Candidate {
    uint64_t lb = 0;
    uint64_t tie = 0;
    int slot = -1;
  };
  static constexpr uint64_t kNotHit = uint64_t{1} << 63;
  // A read or write queue: requests in fixed slots, linked per bank in acceptance order (the
  // scheduler only ever looks at a bank's oldest request and oldest row hit).
  struct Queue {
    std::vector<Request> slots;
    std::vector<Candidate> cand;  // per bank of the channel, valid while it has requests
    std::vector<int> free;        // unused slots
    std::vector<uint64_t> banks;  // bit per bank of the channel: it has requests queued
    size_t size = 0;
  };
  struct Bank {
    int64_t open_row = -1;
    uint64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
    int hits[2] = {0, 0};    // queued reads / writes to the open row
    int queued[2] = {0, 0};  // queued reads / writes to this bank
    int head[2] = {-1, -1};  // oldest queued read / write (slot), -1 when none
    int tail[2] = {-1, -1};  // youngest
    int col_since_act = 0;   // column commands since the row opened
  };
  struct Rank {
    uint64_t faw[4] = {0, 0, 0, 0};  // ACT + tFAW of the last four ACTs, oldest at faw_pos
    int faw_pos = 0;
    int open_banks = 0;
    uint64_t refresh_due = 0;
    uint64_t last_ref = kNever;  // cycle of its last REF
  };
  struct Decision {
    uint64_t cycle = kNever;
    DdrCommand cmd = DdrCommand::kAct;
    int bank = -1;  // flat
    int rank = -1;  // flat
    int req = -1;   // slot in the active queue, -1 for refresh
    bool hit = false;
  };
  struct Channel {
    Queue q[2];             // reads, writes
    uint64_t cmd_free = 0;  // first cycle the command bus is free
    uint64_t bus_free = 0;  // first cycle the data bus is free
    int bus_rank = -1;      // rank of the last burst
    bool bus_write = false;
    bool write_mode = false;
    bool decided = false;  // `next` is up to date
    Decision next;
    // per_bank: the request pool, the read and write transaction queues (slots in arrival
    // order), round-robin position, writes left in the current drain.
    std::vector<Request> pool;
    std::vector<int> pool_free;
    struct Queued {
      int slot;
      int local;  // its bank within the channel
    };
    std::vector<Queued> tq[2];
    std::vector<uint64_t> cq_full;   // bit per bank: its command queue is full
    std::vector<uint64_t> cq_banks;  // bit per bank: its command queue is not empty
    size_t cq_total = 0;             // commands in all command queues
    int rr = 0;
    int draining = 0;
    uint64_t move_floor = 0;    // first cycle whose move has not been considered
    uint64_t move_at = kNever;  // next cycle a move may happen (with `next`)
    uint64_t cmd_at = kNever;   // cycle of the command in `next` (kNever: none)
    int cmd_key = 0;            // its bank's round-robin rank
    int pick = -1;              // pb_pick_move's answer while pick_valid
    bool pick_valid = false;
  };
  // per_bank: a bank's best command of each kind: 0 PRE or ACT, 1 RD, 2 WR.
  struct BankCand {
    uint64_t lb = kNever;  // least cycle from the bank's own timing and the request
    int slot = -1;         // request in the pool
    int pos = 0;           // position in the command queue
  };

  // Flat indices; every count is a power of two, so these are shifts.
  int bank_index(int ch, int rank, int bg, int bank) const {
    return (((((ch << m_rank_bits) | rank) << m_bg_bits) | bg) << m_ba_bits) | bank;
  }
  int rank_of_bank(int bank) const { return bank >> (m_bg_bits + m_ba_bits); }
  int group_of_bank(int bank) const { return bank >> m_ba_bits; }
  int channel_of_rank(int rank) const { return rank >> m_rank_bits; }
  int bg_of_bank(int bank) const { return (bank >> m_ba_bits) & ((1 << m_bg_bits) - 1); }
  // Index of a bank within its channel.
  int local_bank(int bank) const {
    return bank & ((1 << (m_rank_bits + m_bg_bits + m_ba_bits)) - 1);
  }

  uint64_t earliest_act(const Channel& ch, int bank, int rank, int group) const {
    const Rank& r = m_ranks[static_cast<size_t>(rank)];
    const uint64_t e = std::max(m_banks[static_cast<size_t>(bank)].next_act,
                                m_next_act_bg[static_cast<size_t>(group)]);
    return std::max(std::max(e, r.faw[r.faw_pos]), std::max(ch.cmd_free, m_now));
  }
  uint64_t earliest_pre(const Channel& ch, int bank) const {
    return std::max(m_banks[static_cast<size_t>(bank)].next_pre, std::max(ch.cmd_free, m_now));
  }
  [[gnu::always_inline]] inline uint64_t earliest_col(const Channel& ch, int bank, int rank,
                                                      int group, bool write) const;
  // earliest_col less the bank's own next_rd / next_wr.
  [[gnu::always_inline]] inline uint64_t earliest_col_group(const Channel& ch, int bank, int rank,
                                                            int group, bool write) const;
  uint64_t earliest_ref(int rank) const;
  const Channel& channel_of_bank(int bank) const {
    return m_channels[static_cast<size_t>(channel_of_rank(rank_of_bank(bank)))];
  }
  // The write mode the drain policy wants for the current queue lengths.
  bool wants_write_mode(const Channel& ch) const;
  // Applies the effects of a command on the timing state; returns done for RD/WR.
  // `act_queue`: for an ACT on behalf of a queued request, its queue (0 read, 1 write).
  uint64_t apply(DdrCommand cmd, int bank, int rank, int64_t row, uint64_t c, int act_queue = -1);
  void update_mode(Channel& ch);
  // Jumps a channel with no requests over whole refresh rounds that end by `cycle`.
  void skip_idle_rounds(int ch, uint64_t cycle);
  void decide(int ch);
  void execute(int ch);
  void consider_refresh(int ch, Decision& best) const;
  // A column command's statistics, completion and (closed page) auto-precharge.
  void finish_column(const Request& r, bool write, uint64_t done);
  // per_bank (ddr_bank_queues.cpp).
  bool pb_can_accept(const Channel& ch, bool is_write) const;
  uint64_t pb_enqueue(const DramAddress& a, uint64_t addr, bool is_write, uint64_t cycle);
  void pb_decide(int ch);
  void pb_execute(int ch);
  // The transaction a move at the next opportunity takes (slot in the pool), -1 for none,
  // -2 when a write drain stops; `commit` applies the drain bookkeeping.
  int pb_pick_move(Channel& ch, bool commit);
  int pb_scan_move(Channel& ch, bool commit);
  // Moves a transaction at `cycle` when one can; returns its bank, or -1.
  int pb_try_move(int ch, uint64_t cycle);
  struct PbChoice {
    uint64_t cycle = kNever;
    DdrCommand cmd = DdrCommand::kAct;
    int slot = -1;
  };
  bool pb_bank_best(const Channel& ch, int bank, uint64_t floor, PbChoice& out) const;
  void pb_set_move(Channel& ch);
  void pb_after_move(int ch, int bank);
  void pb_update_bank(int bank);
  void pb_issue_column(Channel& ch, int bank, int pos, uint64_t c);
  int* cq(int bank) { return &m_cq[static_cast<size_t>(bank) * m_cfg.cmd_queue_size]; }
  void log(uint64_t c, DdrCommand cmd, int bank, int rank, int64_t row, int column, uint64_t req);

  DdrConfig m_cfg;
  AddressMap m_map;
  int m_rank_bits = 0, m_bg_bits = 0, m_ba_bits = 0;
  uint64_t m_now = 0;
  uint64_t m_next_id = 0;
  uint64_t m_pending = 0;
  std::vector<Channel> m_channels;
  std::vector<Rank> m_ranks;
  std::vector<Bank> m_banks;
  // Per (rank, bank group): earliest ACT (tRRD), RD and WR (tCCD, tWTR) from that rank's
  // commands.
  std::vector<uint64_t> m_next_act_bg, m_next_rd_bg, m_next_wr_bg;
  void open_row(int bank, int64_t row, int act_queue);
  void close_row(int bank);
  // Recomputes the bank's candidates after a change of its state or of its requests.
  // `only`: just that queue's (0 read, 1 write) changed.
  void refresh_bank(int bank, int only = -1);
  std::vector<DdrCompletion> m_completed;
  // per_bank: command queues (cmd_queue_size slots per bank), their lengths, candidates
  // (three per bank) and whether they are stale; queued writes and reads by address.
  bool m_per_bank = false;
  std::vector<int> m_cq, m_cq_len;
  std::vector<BankCand> m_cand;
  std::vector<uint64_t> m_cand_min;  // least lb of a bank's candidates
  std::vector<uint8_t> m_cand_stale;
  std::unordered_map<uint64_t, int> m_pending_wr, m_pending_rd;
  std::vector<uint64_t> m_pb_scratch;  // pb_decide's per-group bounds
  DdrStats m_stats;
  bool m_log_on = false;
  bool m_idle_skip = true;
  std::vector<DdrIssued> m_log;
};

// The earliest cycle a column command to `bank` can issue (scheduler hot path).
inline uint64_t DdrController::earliest_col(const Channel& c, int bank, int rank, int group,
                                            bool write) const {
  const Bank& b = m_banks[static_cast<size_t>(bank)];
  return std::max(write ? b.next_wr : b.next_rd, earliest_col_group(c, bank, rank, group, write));
}

inline uint64_t DdrController::earliest_col_group(const Channel& c, int, int rank, int group,
                                                  bool write) const {
  const size_t g = static_cast<size_t>(group);
  uint64_t e = write ? m_next_wr_bg[g] : m_next_rd_bg[g];
  e = std::max({e, c.cmd_free, m_now});
  // The data bus: this burst starts after the previous one, plus the rank switch and
  // read-to-write turnaround gaps.
  uint64_t gap = 0;
  if (c.bus_rank >= 0) {
    if (c.bus_rank != rank && (m_cfg.tRTRS_write_to_write || !write || !c.bus_write)) {
      gap = static_cast<uint64_t>(m_cfg.tRTRS);
    }
    if (write && !c.bus_write) gap = std::max<uint64_t>(gap, m_cfg.read_to_write_gap);
  }
  const uint64_t data_start = c.bus_free + gap;
  const uint64_t latency = static_cast<uint64_t>(write ? m_cfg.CWL : m_cfg.CL);
  if (data_start > latency) e = std::max(e, data_start - latency);
  return e;
}

}  // namespace skipsim
