// The ONNX importer (protobuf parse, graph recognition, quantization) on the input's bytes,
// at two input sizes so both whole-map pools and too-small inputs are reached.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/common/errors.hpp"
#include "tb/net/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (int hw : {16, 5}) {
    try {
      (void)skipsim::import_onnx_bytes(bytes, "fuzz.onnx", hw, hw, 1);
    } catch (const skipsim::InputError&) {
    }
  }
  return 0;
}
