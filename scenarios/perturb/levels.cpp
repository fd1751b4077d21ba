#include "scenarios/perturb/levels.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gauntlet::perturb {
namespace {

double scale(int level) {
  if (level < 1 || level > kMaxLevel) {
    throw std::out_of_range("perturbation level " + std::to_string(level) + " is outside 1..5");
  }
  return static_cast<double>(level);
}

}  // namespace

// Level 5 is meant to be hard but fair: a person looking at the preview sheet
// still recognises the task (see `gauntlet preview`).

CameraLevel camera_level(int level) {
  const double l = scale(level);
  return {5.0 * l, 3.0 * l, 0.05 * l, 2.0 * l, 3.0 * l, 0.015 * l};
}

LightingLevel lighting_level(int level) {
  const double l = scale(level);
  return {0.15 * l, 10.0 * l, 0.1 * l, 0.2 * l};
}

TextureLevel texture_level(int level) {
  const double l = scale(level);
  return {0.18 * l, 0.15 * l};
}

DistractorsLevel distractors_level(int level) {
  scale(level);
  return {level, 0.06};
}

LayoutLevel layout_level(int level) {
  const double l = scale(level);
  return {0.035 * l, 8.0 * l};
}

RobotInitLevel robot_init_level(int level) {
  const double l = scale(level);
  return {0.03 * l, 12.0 * l, 4.0 * l, 0.1 * l, 0.03 * l};
}

LanguageLevel language_level(int level) {
  scale(level);
  return {level == 1 ? 1 : 3, level >= 2, level >= 3, level >= 4, level >= 5 ? 2 : 0};
}

SensorNoiseLevel sensor_noise_level(int level) {
  const double l = scale(level);
  return {3.0 * l, 0.25 * l, 95 - 15 * level, level, 4 + 2 * level, 0.04 * l};
}

DynamicsLevel dynamics_level(int level) {
  const double l = scale(level);
  return {0.2 * l, 0.3 * l, 0.25 * l};
}

ActionLevel action_level(int level) {
  const double l = scale(level);
  static constexpr int kLatency[] = {0, 1, 1, 2, 3};
  return {0.04 * l, kLatency[level - 1]};
}

}  // namespace gauntlet::perturb
