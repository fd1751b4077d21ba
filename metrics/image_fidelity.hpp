// Fidelity of generated frames against reference frames: MSE, PSNR, SSIM
// (Wang, Bovik, Sheikh and Simoncelli 2004) and the Frechet distance between
// two feature sets (the FID/FVD statistic). Plain arrays of 8-bit pixels.
#pragma once

#include <cstdint>
#include <span>

namespace gauntlet::metrics {

// An 8-bit image, row-major, channels interleaved (RGB: channels = 3).
struct ImageView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int channels = 3;
};

// Mean squared error over every pixel and channel. Throws std::invalid_argument
// when the two differ in size.
double mean_squared_error(ImageView a, ImageView b);

// 10 log10(peak^2 / MSE) in dB; +infinity for identical images.
double psnr(ImageView a, ImageView b, double peak = 255.0);

enum class SsimWindow {
  kGaussian11,  // 11x11 circular Gaussian, sigma 1.5: the paper's choice (and ssim_index.m)
  kUniform8,    // 8x8 uniform window
};

struct SsimOptions {
  SsimWindow window = SsimWindow::kGaussian11;
  double k1 = 0.01;
  double k2 = 0.03;
  double peak = 255.0;  // the dynamic range L
};

// Mean SSIM: the SSIM map over every position where the window fits inside
// the image ("valid" filtering, as ssim_index.m), with population moments
// weighted by the window, C1 = (k1 L)^2, C2 = (k2 L)^2; computed per channel
// and averaged over channels. Throws std::invalid_argument when the images
// differ in size or are smaller than the window.
double ssim(ImageView a, ImageView b, const SsimOptions& options = {});

// Frechet distance between Gaussians fitted to two feature sets (rows of
// `dim` numbers): |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the
// covariances with n - 1 in the denominator (as FID's numpy reference).
// Needs at least 2 rows in each set.
double frechet_distance(std::span<const double> a, std::span<const double> b, int dim);

}  // namespace gauntlet::metrics
