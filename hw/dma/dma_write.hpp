#pragma once
// DmaWrite: takes an int8 HWC tensor stream (ceil(C/lanes) beats per pixel) into a write
// buffer and writes it to DRAM in bursts, up to max_outstanding in flight. A burst leaves
// when the buffer holds a full one (or the frame's tail). ready = the buffer has room for a
// whole beat after this edge. finished() once every byte of every frame is acknowledged.
#include <cstdint>
#include <vector>

#include "hw/common/seeded_stall.hpp"
#include "hw/dma/dma_engine.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

class DmaWrite : public DmaEngine {
 public:
  SC_HAS_PROCESS(DmaWrite);
  StreamIn in;

  DmaWrite(sc_core::sc_module_name name, int max_outstanding, int burst_bytes,
           uint64_t buffer_bytes);

  void set_stream_job(uint64_t addr, uint64_t pixels, int channels, int lanes, int frames);
  // What the written bytes are, for the DRAM traffic report (default kOutput).
  void set_purpose(DmaPurpose p) { m_purpose = p; }
  // Drops ready at random (probability p per cycle, seeded): a consumer that stalls, to
  // check that the pipeline is latency insensitive.
  void set_stall_injection(double p, uint64_t seed) { m_injector = SeededStall(p, seed); }

  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override {
    return !awaiting_dram() && m_wait.kind != WaitState::Kind::kBusy && !m_injector.active();
  }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  bool finished() const override { return m_acked == m_total && m_total > 0; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  uint64_t beats() const { return m_beats; }
  // Core cycle (1-based edge count) at which the last write acknowledgement was taken.
  uint64_t finish_cycle() const { return m_finish_cycle; }
  // Cycle at which each frame's last byte was acknowledged.
  const std::vector<uint64_t>& frame_done_cycles() const { return m_frame_done; }
  uint64_t frames_done() const { return m_frame_bytes ? m_acked / m_frame_bytes : 0; }

 private:
  void on_clock();

  uint64_t m_addr = 0, m_frame_bytes = 0, m_total = 0;
  int m_channels = 0, m_lanes = 16;
  std::vector<uint8_t> m_buf;  // ring
  uint64_t m_filled = 0;       // bytes received
  uint64_t m_issued = 0;       // bytes sent to DRAM (buffer space free again)
  uint64_t m_acked = 0;        // bytes acknowledged
  int m_beat = 0;
  uint64_t m_beats = 0;
  uint64_t m_finish_cycle = 0;
  std::vector<uint64_t> m_frame_done;
  std::vector<uint8_t> m_burst_tmp;
  SeededStall m_injector;
  WaitState m_wait;
  DmaPurpose m_purpose = DmaPurpose::kOutput;
};

}  // namespace skipsim
