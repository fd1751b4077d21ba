// `vision-scripted`: the task's scripted expert, except that the object it
// manipulates is found in the agentview image (the colour the instruction names,
// segmented, its centroid's ray intersected with the table plane through the
// nominal camera calibration) instead of read from privileged state. A stand-in
// for image-based policies: camera, lighting and texture perturbations hurt it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "harness/camera.hpp"
#include "harness/geometry.hpp"
#include "harness/observation.hpp"
#include "harness/registry.hpp"

namespace gauntlet::adapters {

// Camera calibration the policy assumes: the standard tabletop's agentview
// (kTabletopAgentview), which a camera perturbation makes wrong.
struct PinholeCamera {
  geo::Vec3 pos = kTabletopAgentview.pos;
  geo::Vec3 target = kTabletopAgentview.target;
  double fovy_deg = kTabletopAgentview.fovy_deg;

  // Where the ray through pixel (row, col) centre of a width x height image
  // meets the horizontal plane z = height; nullopt when it does not.
  std::optional<geo::Vec3> pixel_to_plane(double row, double col, int width, int height,
                                          double z) const;
  // Pixel (row, col) where world point p projects.
  std::array<double, 2> project(const geo::Vec3& p, int width, int height) const;
};

enum class ColourClass { kRed, kGreen, kBlue, kYellow, kOrange, kPurple, kWhite, kBlack };

// The first colour word of the instruction (a typo of one letter is forgiven);
// nullopt when it names none.
std::optional<ColourClass> colour_in_instruction(const std::string& instruction);
bool matches_colour(const std::uint8_t* rgb, ColourClass colour);

struct Blob {
  double row = 0.0;  // centroid, pixels
  double col = 0.0;
  int pixels = 0;
};
// The largest 4-connected region of `colour`; nullopt below `min_pixels`.
std::optional<Blob> largest_blob(const Image& image, ColourClass colour, int min_pixels = 4);

void register_vision_scripted_policy(Registry& registry);

}  // namespace gauntlet::adapters
