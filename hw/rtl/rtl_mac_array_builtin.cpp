#include <fmt/format.h>

#include "Vsystolic_array_os.h"
#include "Vsystolic_array_ws.h"
#include "hw/rtl/rtl_mac_array.hpp"
#include "hw/common/errors.hpp"

namespace skipsim {

std::unique_ptr<RtlMacArray> make_builtin_mac_array(int rows, int cols, Dataflow d) {
  constexpr int kRows = SKIPSIM_RTL_MAC_ROWS, kCols = SKIPSIM_RTL_MAC_COLS;
  if (rows != kRows || cols != kCols)
    throw InputError(fmt::format(
        "config error: hardware.mac_array: the RTL array is built as {}x{}, the configuration "
        "asks for {}x{} (set hardware.mac_array.rows/cols to match, or rebuild with "
        "-DSKIPSIM_RTL_MAC_ROWS={} -DSKIPSIM_RTL_MAC_COLS={})",
        kRows, kCols, rows, cols, rows, cols));
  if (d == Dataflow::kOs)
    return std::make_unique<VerilatedMacArray<Vsystolic_array_os>>(kRows, kCols, true);
  return std::make_unique<VerilatedMacArray<Vsystolic_array_ws>>(kRows, kCols, false);
}

}  // namespace skipsim
