#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "harness/action.hpp"
#include "harness/geometry.hpp"
#include "harness/runner.hpp"

using namespace gauntlet;

TEST_CASE("Chunks with the wrong size or non-finite numbers are rejected with the reason",
          "[action]") {
  const ActionSpace space = ee_delta_action_space();
  ActionChunk ok;
  ok.resize(3, 7);
  CHECK(validate_chunk(ok, space).empty());

  ActionChunk wrong_dim;
  wrong_dim.resize(1, 6);
  CHECK_THAT(validate_chunk(wrong_dim, space), Catch::Contains("dimension 6, expected 7"));

  ActionChunk empty;
  CHECK_THAT(validate_chunk(empty, space), Catch::Contains("empty"));

  ActionChunk nan = ok;
  nan.action(2)[4] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THAT(validate_chunk(nan, space), Catch::Contains("action 2 component 4"));

  ActionChunk inf = ok;
  inf.action(0)[0] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(validate_chunk(inf, space).empty());
}

TEST_CASE("Percentiles interpolate linearly like numpy", "[runner]") {
  // numpy.percentile([1, 2, 3, 4, 10], [50, 95, 99]) = 3, 8.8, 9.76
  const std::vector<double> v{10, 2, 4, 1, 3};
  CHECK(percentile(v, 50) == Approx(3.0));
  CHECK(percentile(v, 95) == Approx(8.8));
  CHECK(percentile(v, 99) == Approx(9.76));
  CHECK(percentile({}, 50) == 0.0);
}

TEST_CASE("Rotation vectors and quaternions convert both ways", "[geometry]") {
  using namespace geo;
  for (const Vec3 r :
       {Vec3{0.1, -0.2, 0.3}, Vec3{0, 0, 3.0}, Vec3{1e-9, 0, 0}, Vec3{-1.2, 0.4, 0.9}}) {
    const Vec3 back = rotvec_from_quat(quat_from_rotvec(r));
    for (std::size_t i = 0; i < 3; ++i) CHECK(back[i] == Approx(r[i]).margin(1e-9));
  }
  const Quat q = quat_from_yaw(0.7);
  CHECK(yaw_of(q) == Approx(0.7));
  const Vec3 x = rotate(q, {1, 0, 0});
  CHECK(x[0] == Approx(std::cos(0.7)));
  CHECK(x[1] == Approx(std::sin(0.7)));
  CHECK(wrap_angle(3 * 3.14159265358979) == Approx(3.14159265358979).margin(1e-6));
}
