// SHA-256 for content hashes (suite files, model files) and episode seeds.
// Output matches `sha256sum` and Python's hashlib, so users can verify both.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace gauntlet {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  std::array<std::uint8_t, 32> digest();
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view text);
// Hash of a file's bytes; throws InputError naming the file when unreadable.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace gauntlet
