#include "suites/common/expert_kit.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet::suites {

using namespace geo;

void servo_to(const Pose& tcp, const Vec3& target, double target_yaw, std::span<float> action,
              const ServoGains& gains) {
  const Vec3 delta = clamp_norm_inf(gains.position_gain * (target - tcp.pos), gains.max_step);
  const Quat desired = quat_from_yaw(target_yaw);
  const Vec3 err = rotvec_from_quat(quat_mul(desired, quat_conj(tcp.quat)));
  const Vec3 rot = clamp_norm_inf(gains.rotation_gain * err, gains.max_rotation);
  for (std::size_t i = 0; i < 3; ++i) {
    action[i] = static_cast<float>(delta[i]);
    action[3 + i] = static_cast<float>(rot[i]);
  }
}

double closest_symmetric_yaw(double object_yaw, double current_yaw, double period) {
  double best = object_yaw;
  double best_err = 1e9;
  for (int k = -4; k <= 4; ++k) {
    const double candidate = object_yaw + k * period;
    const double err = std::abs(wrap_angle(candidate - current_yaw));
    if (err < best_err) {
      best_err = err;
      best = candidate;
    }
  }
  return wrap_angle(best);
}

double yaw_error(const Pose& tcp, double target_yaw) {
  return std::abs(wrap_angle(target_yaw - yaw_of(tcp.quat)));
}

double position_error(const Pose& tcp, const Vec3& target) {
  return norm(target - tcp.pos);
}

}  // namespace gauntlet::suites
