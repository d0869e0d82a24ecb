#pragma once
// Line buffer of a conv engine (plain C++): holds the last k input rows of an H x W x C
// tensor (k*W pixels, a circular buffer in an SRAM region), takes input beats in raster
// order, and serves k x k windows with zero padding (k/2 unless the geometry says otherwise)
// and a stride.
//
// Pixel p (raster index) goes to slot p mod k*W and may be written once no pending output
// still needs pixel p - k*W. Every window spans at most (k-1)*W + min(k, W) <= k*W pixels,
// so k rows always suffice to make progress. Frames follow one another: pixel indices keep
// counting across frames, outputs of a frame never read the previous frame's pixels.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "hw/common/beat.hpp"
#include "hw/common/conv_geometry.hpp"
#include "hw/sram/sram_banks.hpp"

namespace skipsim {

struct ConvGeometry {
  int h = 0, w = 0, c = 0;  // input
  int k = 1, stride = 1;
  int padding = -1;  // -1: same_pad(k), the convs' rule; a pooling window sets its own
  int pad() const { return padding < 0 ? same_pad(k) : padding; }
  int out_h() const { return conv_out_size(h, k, stride, pad()); }
  int out_w() const { return conv_out_size(w, k, stride, pad()); }
  // Raster index (within a frame) of the first / last input pixel output (oy, ox) reads.
  uint64_t first_pixel(int oy, int ox) const {
    const int y = std::max(0, oy * stride - pad()), x = std::max(0, ox * stride - pad());
    return static_cast<uint64_t>(y) * w + x;
  }
  uint64_t last_pixel(int oy, int ox) const {
    const int y = std::min(h - 1, oy * stride - pad() + k - 1);
    const int x = std::min(w - 1, ox * stride - pad() + k - 1);
    return static_cast<uint64_t>(y) * w + x;
  }
};

class LineBuffer {
 public:
  LineBuffer(const ConvGeometry& g, int lanes, SramBanks& sram, const std::string& name);

  // True when the next input beat may be written now.
  bool can_accept() const;
  void push_beat(const Beat& b);

  // Output (oy, ox) of the current output frame: are all its input pixels present?
  bool window_ready(int oy, int ox) const;
  // Window element e (order ky, kx, ci; zero outside the image) of output (oy, ox).
  // Writes n elements starting at e0 into out.
  void gather(int oy, int ox, int e0, int n, int8_t* out);
  // Output (oy, ox) has read its window; frees pixels no later output needs.
  void retire(int oy, int ox);

  int window_elems() const { return m_g.k * m_g.k * m_g.c; }
  uint64_t pixels_received() const { return m_rx_pixel; }
  uint64_t pixels_held() const {
    return m_rx_pixel > m_oldest_needed ? m_rx_pixel - m_oldest_needed : 0;
  }
  uint64_t capacity_pixels() const { return m_cap; }
  // First raster pixel (absolute) the window of (oy, ox) of the current frame needs / last.
  uint64_t first_needed(int oy, int ox) const;
  uint64_t last_needed(int oy, int ox) const;

 private:
  ConvGeometry m_g;
  int m_lanes, m_beats_per_pixel;
  SramBanks& m_sram;
  int m_region;
  uint64_t m_cap;                // pixels
  uint64_t m_rx_pixel = 0;       // pixels fully received (absolute across frames)
  int m_rx_beat = 0;             // beat within the pixel being received
  uint64_t m_oldest_needed = 0;  // absolute pixel index
  uint64_t m_frame_base = 0;     // absolute index of pixel (0,0) of the output frame
};

}  // namespace skipsim
