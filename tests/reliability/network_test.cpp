// What a hostile or broken policy server can send (issue 17, items 1 and 9):
// deep nesting, counts larger than the message, absurd action shapes, huge
// strings. Every one is an error saying what is wrong, never a crash or a
// giant allocation.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "adapters/remote/msgpack_codec.hpp"

using gauntlet::adapters::decode_reply;
using gauntlet::adapters::describe_message;

namespace {

std::string fixmap(int n) {
  return std::string(1, static_cast<char>(0x80 | n));
}
std::string fixarray(int n) {
  return std::string(1, static_cast<char>(0x90 | n));
}
std::string fixstr(const std::string& s) {
  return std::string(1, static_cast<char>(0xa0 | static_cast<int>(s.size()))) + s;
}
std::string bin8(const std::string& s) {
  return std::string("\xc4", 1) + static_cast<char>(s.size()) + s;
}
std::string bin32(std::uint32_t n) {
  std::string out("\xc6", 1);
  for (int k = 3; k >= 0; --k) out += static_cast<char>((n >> (8 * k)) & 0xff);
  return out;
}
std::string uint64(std::uint64_t v) {
  std::string out("\xcf", 1);
  for (int k = 7; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
  return out;
}
std::string float64(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, 8);
  std::string out("\xcb", 1);
  for (int k = 7; k >= 0; --k) out += static_cast<char>((u >> (8 * k)) & 0xff);
  return out;
}

// {"actions": ndarray(<f4, shape, data)}
std::string reply_with_shape(const std::string& shape_array, std::size_t data_bytes) {
  return fixmap(1) + fixstr("actions") + fixmap(4) + bin8("__ndarray__") + "\xc3" + bin8("data") +
         bin32(static_cast<std::uint32_t>(data_bytes)) + std::string(data_bytes, '\0') +
         bin8("dtype") + fixstr("<f4") + bin8("shape") + shape_array;
}

}  // namespace

TEST_CASE("Deeply nested msgpack from a server is an error, not a stack overflow",
          "[reliability][network]") {
  // Metadata 100,000 levels deep.
  const std::string deep = std::string(100000, static_cast<char>(0x91)) + "\xc0";
  CHECK_THROWS_WITH(describe_message(deep), Catch::Contains("deeper than"));
  // A reply whose map key is a 200,000-deep array.
  const std::string key = std::string(200000, static_cast<char>(0x91)) + "\xc0";
  CHECK_THROWS_WITH(decode_reply(fixmap(1) + key + "\xc0"), Catch::Contains("deeper than"));
}

TEST_CASE("Counts larger than the message are refused before allocating",
          "[reliability][network]") {
  // array32 / map32 claiming 4 billion elements in a 5-byte message.
  CHECK_THROWS_AS(describe_message(std::string("\xdd\xff\xff\xff\xff", 5)), std::runtime_error);
  CHECK_THROWS_AS(describe_message(std::string("\xdf\xff\xff\xff\xff", 5)), std::runtime_error);
  CHECK_THROWS_AS(decode_reply(std::string("\xdf\x7f\xff\xff\xff", 5)), std::runtime_error);
}

TEST_CASE("Absurd action shapes are checked against the data before allocating",
          "[reliability][network]") {
  const auto shape_error = [](const std::string& shape, std::size_t bytes) {
    try {
      decode_reply(reply_with_shape(shape, bytes));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // [3, 2^62] over 28 bytes
  CHECK_THAT(shape_error(fixarray(2) + "\x03" + uint64(std::uint64_t{1} << 62), 28),
             Catch::Contains("shape") && Catch::Contains("28"));
  // [NaN, 7]
  CHECK_THAT(shape_error(fixarray(2) + float64(std::nan("")) + "\x07", 28),
             Catch::Contains("shape"));
  // [1e10] over 28 bytes
  CHECK_THAT(shape_error(fixarray(1) + float64(1e10), 28), Catch::Contains("shape"));
  // [-1, 7]
  CHECK_THAT(shape_error(fixarray(2) + "\xff\x07", 28), Catch::Contains("shape"));
  // [0, 7]: no actions
  CHECK_THAT(shape_error(fixarray(2) + std::string("\x00\x07", 2), 0),
             Catch::Contains("no actions"));
  // A good one still decodes.
  const auto r = decode_reply(reply_with_shape(fixarray(2) + "\x01\x07", 28));
  CHECK(r.horizon == 1);
  CHECK(r.dim == 7);
}

TEST_CASE("A huge string in a server's metadata is cut, with control characters escaped",
          "[reliability][network]") {
  const std::string big(10 << 20, 'A');
  std::string msg = fixmap(1) + fixstr("k") + "\xdb";
  for (int k = 3; k >= 0; --k) msg += static_cast<char>((big.size() >> (8 * k)) & 0xff);
  msg += big;
  const std::string d = describe_message(msg);
  CHECK(d.size() < 5000);
  CHECK(describe_message(fixstr("a\x1b[31mb\r")).find('\x1b') == std::string::npos);
}

TEST_CASE("Fuzz: random and mutated msgpack replies give a reply or an error",
          "[reliability][fuzz][network]") {
  const std::string good = reply_with_shape(fixarray(2) + "\x02\x07", 56);
  std::mt19937_64 rng(9);
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = good;
    if (i % 3 == 0) {
      b.resize(1 + rng() % 64);
      for (char& c : b) c = static_cast<char>(rng());
    } else {
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        b[rng() % b.size()] = static_cast<char>(rng());
      }
    }
    try {
      decode_reply(b);
      describe_message(b);
    } catch (const std::runtime_error&) {
      ++errors;
    }
  }
  CHECK(errors > 0);
}
