#pragma once
// Minimal reader/writer of the numpy .npy format (versions 1.0-3.0, C order, little-endian
// int8 '|i1' and int32 '<i4'). Errors throw InputError naming the file.
#include <cstdint>
#include <string>
#include <vector>

#include "tb/ref/tensor.hpp"

namespace skipsim {

struct NpyArray {
  std::string descr;           // numpy dtype string, e.g. "|i1", "<i4"
  std::vector<size_t> shape;   // C order
  std::vector<uint8_t> bytes;  // raw little-endian payload
  size_t count() const;
};

NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);

// Typed helpers: check dtype and (when expected_shape is non-empty) the shape.
std::vector<int8_t> read_npy_i8(const std::string& path, const std::vector<size_t>& expected_shape);
std::vector<int32_t> read_npy_i32(const std::string& path,
                                  const std::vector<size_t>& expected_shape);
void write_npy_i8(const std::string& path, const std::vector<int8_t>& v,
                  const std::vector<size_t>& shape);
void write_npy_i32(const std::string& path, const std::vector<int32_t>& v,
                   const std::vector<size_t>& shape);
Tensor8 read_tensor8(const std::string& path, int h, int w, int c);
void write_tensor8(const std::string& path, const Tensor8& t);

}  // namespace skipsim
