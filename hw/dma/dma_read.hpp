#pragma once
// DmaRead: reads DRAM in bursts and either loads block parameters (weights, bias, requant)
// into their SRAM or turns an HWC int8 tensor into a stream: ceil(C/lanes) beats per pixel,
// raster order, `last` on the final beat of each frame. Jobs run in order (parameters
// first, as the engines cannot compute without them); up to max_outstanding bursts are in
// flight and their data lands in a reorder buffer that is drained in order.
#include <cstdint>
#include <vector>

#include "hw/common/seeded_stall.hpp"
#include "hw/dma/dma_engine.hpp"
#include "hw/dma/param_sink.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct TensorStreamShape {
  uint64_t pixels = 0;  // per frame
  int channels = 0;
  int lanes = 16;
  int frames = 1;
};

class DmaRead : public DmaEngine {
 public:
  SC_HAS_PROCESS(DmaRead);
  StreamOut out;

  DmaRead(sc_core::sc_module_name name, int max_outstanding, int burst_bytes);

  void add_param_job(uint64_t addr, ParamSink* sink);
  // purpose: what the bytes are, for the DRAM traffic report (a tensor filled back from a
  // spill is kFill).
  void add_stream_job(uint64_t addr, const TensorStreamShape& shape,
                      DmaPurpose purpose = DmaPurpose::kInput);
  // Upstream jitter on the output stream: at most `rate` beats per cycle (token bucket,
  // 0 < rate <= 1), and each cycle a beat is held back with probability stall_p (seeded).
  void set_throttle(double rate, double stall_p, uint64_t seed);

  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override {
    return !awaiting_dram() && m_wait.kind != WaitState::Kind::kBusy && !m_throttled;
  }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  bool finished() const override { return m_job == m_jobs.size(); }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  uint64_t param_bytes() const { return m_param_bytes; }
  uint64_t stream_bytes() const { return m_stream_bytes; }

 private:
  struct Job {
    uint64_t addr = 0, bytes = 0;  // bytes = whole job (all frames)
    ParamSink* sink = nullptr;     // nullptr: stream
    TensorStreamShape shape;
    uint64_t frame_bytes = 0;
    DmaPurpose purpose = DmaPurpose::kInput;
  };
  void on_clock();
  void issue_next();
  bool drain_params();
  bool next_beat(Beat& b, bool& last);
  void job_done();

  std::vector<Job> m_jobs;
  size_t m_job = 0;          // job being drained
  size_t m_issue_job = 0;    // job being requested
  uint64_t m_issued = 0;     // bytes of m_issue_job requested
  uint64_t m_drained = 0;    // bytes of m_job consumed
  uint64_t m_front_off = 0;  // bytes consumed of the front request
  int m_beat = 0;            // beat within the current pixel
  bool m_out_busy = false;
  uint64_t m_param_bytes = 0, m_stream_bytes = 0;
  WaitState m_wait;
  bool m_throttled = false;  // the throttle held a beat back at the last edge
  double m_rate = 1.0, m_credit = 1.0;
  SeededStall m_injector;
  bool throttle_allows();
};

}  // namespace skipsim
