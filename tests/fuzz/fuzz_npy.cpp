// The .npy reader, on a file holding the input (it reads files only).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "hw/common/errors.hpp"
#include "tb/ref/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/skipsim_fuzz_npy_" + std::to_string(getpid()) + ".npy";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    (void)skipsim::read_npy(path);
  } catch (const skipsim::InputError&) {
  }
  try {
    (void)skipsim::read_tensor8(path, 2, 2, 4);
  } catch (const skipsim::InputError&) {
  }
  std::remove(path.c_str());
  return 0;
}
