// DdrController's scheduler: per cycle, the read/write mode with its watermarks, then
// FR-FCFS over the banks' candidates (decide), and the command it chose (execute); refresh
// decisions and the idle-round skip. The queues and timing bookkeeping are in
// ddr_controller.cpp, the per_bank structure in ddr_bank_queues.cpp.
#include <algorithm>

#include "hw/dram/ddr_controller.hpp"

namespace skipsim {

bool DdrController::wants_write_mode(const Channel& ch) const {
  const size_t reads = ch.q[0].size, writes = ch.q[1].size;
  if (!ch.write_mode) {
    return writes >= static_cast<size_t>(m_cfg.write_high_watermark) || (reads == 0 && writes > 0);
  }
  return !(writes == 0 || (reads > 0 && writes <= static_cast<size_t>(m_cfg.write_low_watermark)));
}

void DdrController::update_mode(Channel& ch) { ch.write_mode = wants_write_mode(ch); }

void DdrController::decide(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  update_mode(ch);
  const bool write = ch.write_mode;
  // No command can issue before this.
  const uint64_t floor = std::max(ch.cmd_free, m_now);

  // FR-FCFS: the earliest command; at equal cycles a row hit first, then the oldest request:
  // the least (cycle, tie), tie = (not a hit) << 63 | id, ids being below 2^63.
  uint64_t best_cycle = kNever, best_tie = ~uint64_t{0};
  int best_bank = -1, best_slot = -1;
  DdrCommand best_cmd = DdrCommand::kAct;
  // Per bank only one request can win (see Candidate); its cycle is no earlier than its
  // candidate's lb and the floor.
  const int base = chi << (m_rank_bits + m_bg_bits + m_ba_bits);
  const Bank* const banks = m_banks.data();
  const Rank* const ranks = m_ranks.data();
  const auto scan = [&](auto write_tag) {
    constexpr bool kWrite = decltype(write_tag)::value;
    const Queue& q = ch.q[kWrite];
    const Request* const slots = q.slots.data();
    const Candidate* const cand = q.cand.data();
    const size_t words = q.banks.size();
    for (size_t word = 0; word < words; ++word) {
      for (uint64_t bits = q.banks[word]; bits != 0; bits &= bits - 1) {
        const int local = static_cast<int>(word * 64) + __builtin_ctzll(bits);
        const Candidate& k = cand[local];
        const uint64_t lb = std::max(k.lb, floor);
        if (lb > best_cycle || (lb == best_cycle && k.tie > best_tie)) continue;
        const int bank = base + local;
        const Request& r = slots[k.slot];
        uint64_t e;
        DdrCommand cmd;
        if ((k.tie & kNotHit) == 0) {
          cmd = kWrite ? DdrCommand::kWr : DdrCommand::kRd;
          e = std::max(earliest_col(ch, bank, r.rank, r.group, kWrite), r.eligible);
        } else if (banks[bank].open_row >= 0) {
          cmd = DdrCommand::kPre;
          e = lb;  // PRE waits for nothing else
        } else {
          cmd = DdrCommand::kAct;
          const Rank& rk = ranks[r.rank];
          e = std::max(std::max(lb, m_next_act_bg[static_cast<size_t>(r.group)]),
                       rk.faw[rk.faw_pos]);
        }
        if (e >= ranks[r.rank].refresh_due) continue;
        if (e < best_cycle || (e == best_cycle && k.tie < best_tie)) {
          best_cycle = e;
          best_tie = k.tie;
          best_cmd = cmd;
          best_bank = bank;
          best_slot = k.slot;
        }
      }
    }
  };
  if (write) {
    scan(std::true_type{});
  } else {
    scan(std::false_type{});
  }
  Decision best;
  if (best_slot >= 0) {
    best = {best_cycle, best_cmd,
            best_bank,  rank_of_bank(best_bank),
            best_slot,  (best_tie & kNotHit) == 0};
  }

  consider_refresh(chi, best);
  ch.next = best;
  ch.decided = true;
}

// Refresh goes first at equal cycles: PREs of the due rank's open banks, then its REF.
void DdrController::consider_refresh(int chi, Decision& best) const {
  const Channel& ch = m_channels[static_cast<size_t>(chi)];
  const int first_rank = chi * m_cfg.ranks;
  for (int rank = first_rank; rank < first_rank + m_cfg.ranks; ++rank) {
    const Rank& r = m_ranks[static_cast<size_t>(rank)];
    if (r.refresh_due > best.cycle) continue;
    const auto consider = [&](uint64_t e, DdrCommand cmd, int bank) {
      e = std::max(e, r.refresh_due);
      if (e < best.cycle || (e == best.cycle && best.req >= 0)) {
        best = {e, cmd, bank, rank, -1, false};
      }
    };
    if (r.open_banks == 0) {
      consider(earliest_ref(rank), DdrCommand::kRef, -1);
    } else {
      const int first = rank * m_cfg.banks_per_rank();
      for (int b = first; b < first + m_cfg.banks_per_rank(); ++b) {
        if (m_banks[static_cast<size_t>(b)].open_row >= 0) {
          consider(earliest_pre(ch, b), DdrCommand::kPre, b);
        }
      }
    }
  }
}

void DdrController::finish_column(const Request& r, bool write, uint64_t done) {
  switch (r.kind) {
    case 0:
    case 1:
      ++m_stats.row_hits;
      break;
    case 2:
      ++m_stats.row_misses;
      break;
    default:
      ++m_stats.row_conflicts;
      break;
  }
  if (write) {
    ++m_stats.writes;
    m_stats.write_latency.add(done - r.accepted);
  } else {
    ++m_stats.reads;
    m_stats.read_latency.add(done - r.accepted);
  }
  m_stats.last_done_cycle = std::max(m_stats.last_done_cycle, done);
  m_completed.push_back({r.id, done, write});
  if (m_cfg.page_policy == PagePolicy::kClosed) {
    // Auto-precharge: the bank closes at the first cycle PRE would be legal.
    Bank& b = m_banks[static_cast<size_t>(r.bank)];
    const uint64_t p = b.next_pre;
    log(p, DdrCommand::kPre, r.bank, r.rank, r.row, 0, r.id);
    close_row(r.bank);
    --m_ranks[static_cast<size_t>(r.rank)].open_banks;
    b.next_act = std::max(b.next_act, p + m_cfg.tRP);
    ++m_stats.pre;
    if (m_per_bank) m_cand_stale[static_cast<size_t>(r.bank)] = 1;
  }
}

void DdrController::execute(int chi) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  const Decision d = ch.next;
  ch.decided = false;
  const uint64_t c = d.cycle;
  if (d.req < 0) {
    apply(d.cmd, d.bank, d.rank, -1, c);
    log(c, d.cmd, d.bank, d.rank, -1, 0, kNoRequest);
    return;
  }
  Queue& q = ch.q[ch.write_mode];
  Request& r = q.slots[static_cast<size_t>(d.req)];
  switch (d.cmd) {
    case DdrCommand::kAct:
      if (r.kind == 0) r.kind = 2;
      apply(d.cmd, r.bank, r.rank, r.row, c, ch.write_mode ? 1 : 0);
      log(c, d.cmd, r.bank, r.rank, r.row, 0, r.id);
      return;
    case DdrCommand::kPre:
      if (r.kind == 0) r.kind = 3;
      log(c, d.cmd, r.bank, r.rank, m_banks[static_cast<size_t>(r.bank)].open_row, 0, r.id);
      apply(d.cmd, r.bank, r.rank, -1, c);
      return;
    default:
      break;
  }
  const bool write = d.cmd == DdrCommand::kWr;
  --m_banks[static_cast<size_t>(r.bank)].hits[write];
  --m_banks[static_cast<size_t>(r.bank)].queued[write];
  const uint64_t done = apply(d.cmd, r.bank, r.rank, r.row, c);
  log(c, d.cmd, r.bank, r.rank, r.row, r.column, r.id);
  finish_column(r, write, done);
  // Unlink the request from its bank's list and free its slot.
  Bank& b = m_banks[static_cast<size_t>(r.bank)];
  if (r.prev >= 0) {
    q.slots[static_cast<size_t>(r.prev)].next = r.next;
  } else {
    b.head[write] = r.next;
  }
  if (r.next >= 0) {
    q.slots[static_cast<size_t>(r.next)].prev = r.prev;
  } else {
    b.tail[write] = r.prev;
  }
  if (b.head[write] < 0) {
    const int lb = local_bank(r.bank);
    q.banks[static_cast<size_t>(lb >> 6)] &= ~(uint64_t{1} << (lb & 63));
  }
  q.free.push_back(d.req);
  --q.size;
  --m_pending;
  refresh_bank(r.bank);
}

// An idle round: no request queued, all banks closed; rank i of the channel due at D_i
// refreshes at D_i + o_i (all_ranks: every D_i equal, o_i = i, rank order breaking the tie, each
// REF holding the command bus one cycle; staggered: o_i = 0, the D_i apart). tRFC < tREFI,
// checked by the config, keeps a rank's previous REF out of the way. Once the last round went
// exactly so, the next rounds repeat it tREFI later, and only the REF-related state changes:
// it is set for the last whole round that ends by `cycle`.
void DdrController::skip_idle_rounds(int chi, uint64_t cycle) {
  Channel& ch = m_channels[static_cast<size_t>(chi)];
  if (ch.q[0].size != 0 || ch.q[1].size != 0) return;
  if (m_per_bank && (ch.cq_total != 0 || !ch.tq[0].empty() || !ch.tq[1].empty())) return;
  const auto refi = static_cast<uint64_t>(m_cfg.tREFI);
  const auto nr = static_cast<uint64_t>(m_cfg.ranks);
  const bool staggered = m_cfg.refresh == RefreshPolicy::kStaggered;
  const size_t first = static_cast<size_t>(chi) * m_cfg.ranks;
  const auto banks = static_cast<size_t>(m_cfg.banks_per_rank());
  if (nr > refi) return;
  uint64_t k = kNever;
  for (uint64_t i = 0; i < nr; ++i) {
    const Rank& r = m_ranks[first + i];
    const uint64_t due = r.refresh_due, off = staggered ? 0 : i;
    if (due < refi || m_now > due || ch.cmd_free > due || r.open_banks != 0 ||
        r.last_ref != due - refi + off || (!staggered && due != m_ranks[first].refresh_due))
      return;
    for (size_t b = (first + i) * banks; b < (first + i + 1) * banks; ++b) {
      if (m_banks[b].next_act > due) return;
    }
    // Rounds at due + j * tREFI, j = 0 .. k - 1, whose REF is at or before `cycle`.
    if (cycle < due + off) return;
    k = std::min(k, (cycle - (due + off)) / refi + 1);
  }
  if (k < 2) return;  // one round is as quick to simulate
  uint64_t latest = 0;
  for (uint64_t i = 0; i < nr; ++i) {
    Rank& r = m_ranks[first + i];
    const uint64_t last = r.refresh_due + (staggered ? 0 : i) + (k - 1) * refi;
    r.last_ref = last;
    r.refresh_due += k * refi;
    latest = std::max(latest, last);
    for (size_t b = (first + i) * banks; b < (first + i + 1) * banks; ++b) {
      m_banks[b].next_act = std::max(m_banks[b].next_act, last + m_cfg.tRFC);
      if (m_per_bank) m_cand_stale[b] = 1;
    }
  }
  ch.cmd_free = latest + 1;
  m_stats.ref += k * nr;
  ch.decided = false;
}

}  // namespace skipsim
