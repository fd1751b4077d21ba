// Small 3-D vector and quaternion helpers (w, x, y, z like MuJoCo) shared by
// backends, task predicates and scripted experts. Header-only, no allocation.
// Vec3 is a std::array, so the operators are found with `using namespace geo;`.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

namespace gauntlet::geo {

using Vec3 = std::array<double, 3>;
using Quat = std::array<double, 4>;  // w, x, y, z

inline Vec3 operator+(const Vec3& a, const Vec3& b) {
  return {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
}
inline Vec3 operator-(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
inline Vec3 operator*(double s, const Vec3& a) {
  return {s * a[0], s * a[1], s * a[2]};
}
inline double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
inline Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
inline double norm(const Vec3& a) {
  return std::sqrt(dot(a, a));
}
inline double norm_xy(const Vec3& a) {
  return std::hypot(a[0], a[1]);
}
inline double dist_xy(const Vec3& a, const Vec3& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}

// Scales v down so that no component exceeds `limit` in magnitude, keeping direction.
inline Vec3 clamp_norm_inf(const Vec3& v, double limit) {
  const double m = std::max({std::abs(v[0]), std::abs(v[1]), std::abs(v[2])});
  return m > limit ? (limit / m) * v : v;
}

inline Quat quat_mul(const Quat& a, const Quat& b) {
  return {a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
          a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
          a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
          a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0]};
}
inline Quat quat_conj(const Quat& q) {
  return {q[0], -q[1], -q[2], -q[3]};
}
inline Quat quat_normalize(const Quat& q) {
  const double n = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  return n > 0 ? Quat{q[0] / n, q[1] / n, q[2] / n, q[3] / n} : Quat{1, 0, 0, 0};
}

// Rotation vector (axis * angle, radians) -> unit quaternion.
inline Quat quat_from_rotvec(const Vec3& r) {
  const double angle = norm(r);
  if (angle < 1e-12) return {1, 0.5 * r[0], 0.5 * r[1], 0.5 * r[2]};
  const double s = std::sin(angle / 2) / angle;
  return {std::cos(angle / 2), s * r[0], s * r[1], s * r[2]};
}

// Unit quaternion -> rotation vector with angle in [0, pi].
inline Vec3 rotvec_from_quat(Quat q) {
  if (q[0] < 0) q = {-q[0], -q[1], -q[2], -q[3]};
  const double s = std::sqrt(q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (s < 1e-12) return {2 * q[1], 2 * q[2], 2 * q[3]};
  const double angle = 2 * std::atan2(s, q[0]);
  return {angle * q[1] / s, angle * q[2] / s, angle * q[3] / s};
}

inline Quat quat_from_yaw(double yaw) {
  return {std::cos(yaw / 2), 0, 0, std::sin(yaw / 2)};
}

// Yaw (rotation about world z) of the body's x axis.
inline double yaw_of(const Quat& q) {
  return std::atan2(2 * (q[0] * q[3] + q[1] * q[2]), 1 - 2 * (q[2] * q[2] + q[3] * q[3]));
}

inline Vec3 rotate(const Quat& q, const Vec3& v) {
  const Quat p{0, v[0], v[1], v[2]};
  const Quat r = quat_mul(quat_mul(q, p), quat_conj(q));
  return {r[1], r[2], r[3]};
}

// Wraps an angle to (-pi, pi].
inline double wrap_angle(double a) {
  constexpr double kPi = 3.14159265358979323846;
  a = std::fmod(a + kPi, 2 * kPi);
  if (a < 0) a += 2 * kPi;
  return a - kPi;
}

}  // namespace gauntlet::geo
