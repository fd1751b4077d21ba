// The `sensor_noise` perturbation: what a cheap camera does to a rendered image
// (colour jitter, blur, Gaussian noise, JPEG-like compression, dropout patches).
// Pure functions of the image, the level and seeds; no backend involved.
#pragma once

#include <cstdint>

#include "harness/observation.hpp"
#include "harness/rng.hpp"
#include "scenarios/perturb/levels.hpp"

namespace gauntlet::perturb {

// Brightness, contrast and saturation offsets (fractions), fixed per episode
// like a camera's exposure and white balance.
struct ColourJitter {
  double brightness = 0.0;
  double contrast = 0.0;
  double saturation = 0.0;
};

void apply_colour_jitter(Image& image, const ColourJitter& jitter);
void apply_gaussian_blur(Image& image, double sigma_px);
void apply_gaussian_noise(Image& image, double sigma, Rng& rng);
// Quantises 8x8 DCT blocks of Y, Cb and Cr with the JPEG tables at `quality`
// (1..100, IJG scaling); 100 leaves the image unchanged.
void apply_jpeg_like(Image& image, int quality);
// Mid-grey squares of side `size` at random places.
void apply_dropout(Image& image, int patches, int size, Rng& rng);

// Every operation at `level`: the jitter comes from `episode_seed`, the noise
// and patches from `frame_seed` (one per control step and camera).
void apply_sensor_noise(Image& image, int level, std::uint64_t episode_seed,
                        std::uint64_t frame_seed);

}  // namespace gauntlet::perturb
