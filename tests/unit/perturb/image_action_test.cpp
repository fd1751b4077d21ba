// Sensor noise and action perturbations on plain data: each operation does what
// it says (JPEG-like keeps flat areas, blur keeps constants, latency delays by k),
// severity grows with level, and the same seeds give the same bytes.
#include <catch2/catch.hpp>

#include <cmath>

#include "harness/rng.hpp"
#include "scenarios/perturb/action_noise.hpp"
#include "scenarios/perturb/image_noise.hpp"
#include "scenarios/perturb/levels.hpp"

using namespace gauntlet;
using namespace gauntlet::perturb;

namespace {

// A test card: smooth gradients, a sharp square and a few coloured bars.
Image test_card(int w = 64, int h = 48) {
  Image im;
  im.resize(w, h);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      std::uint8_t* p = im.pixel(r, c);
      const bool square = r > 10 && r < 30 && c > 20 && c < 44;
      p[0] = static_cast<std::uint8_t>(square ? 220 : 4 * c);
      p[1] = static_cast<std::uint8_t>(square ? 30 : 5 * r);
      p[2] = static_cast<std::uint8_t>((c / 8) % 2 ? 200 : 60);
    }
  }
  return im;
}

double mean_abs_diff(const Image& a, const Image& b) {
  REQUIRE(a.rgb.size() == b.rgb.size());
  double s = 0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i)
    s += std::abs(static_cast<double>(a.rgb[i]) - b.rgb[i]);
  return s / static_cast<double>(a.rgb.size());
}

}  // namespace

TEST_CASE("JPEG-like compression keeps flat colour and loses more at lower quality",
          "[perturb][sensor]") {
  Image flat;
  flat.resize(20, 12);  // not a multiple of 8: edge blocks are padded
  for (std::size_t i = 0; i < flat.rgb.size(); i += 3) {
    flat.rgb[i] = 180, flat.rgb[i + 1] = 90, flat.rgb[i + 2] = 40;
  }
  Image f = flat;
  apply_jpeg_like(f, 20);
  // Only the DC term is non-zero: the image stays flat, its colour off by the DC step at most.
  for (std::size_t i = 3; i < f.rgb.size(); ++i) CHECK(f.rgb[i] == f.rgb[i % 3]);
  CHECK(mean_abs_diff(f, flat) < 4.0);

  const Image card = test_card();
  Image q100 = card;
  apply_jpeg_like(q100, 100);
  CHECK(q100.rgb == card.rgb);
  double previous = 0.0;
  for (const int q : {90, 60, 30, 10}) {
    Image c = card;
    apply_jpeg_like(c, q);
    const double d = mean_abs_diff(c, card);
    CHECK(d > previous);
    previous = d;
  }
}

TEST_CASE("Blur keeps constant images and smooths noise", "[perturb][sensor]") {
  Image flat;
  flat.resize(16, 16);
  std::fill(flat.rgb.begin(), flat.rgb.end(), 77);
  Image b = flat;
  apply_gaussian_blur(b, 1.5);
  CHECK(b.rgb == flat.rgb);
  Image noisy = flat;
  Rng rng(1);
  apply_gaussian_noise(noisy, 20.0, rng);
  Image smoothed = noisy;
  apply_gaussian_blur(smoothed, 1.5);
  CHECK(mean_abs_diff(smoothed, flat) < 0.5 * mean_abs_diff(noisy, flat));
}

TEST_CASE("Sensor noise grows with level and is a pure function of its seeds",
          "[perturb][sensor]") {
  const Image card = test_card();
  double previous = 0.0;
  for (int level = 1; level <= kMaxLevel; ++level) {
    double total = 0.0;
    for (std::uint64_t s = 0; s < 8; ++s) {
      Image a = card, b = card;
      apply_sensor_noise(a, level, s, 100 + s);
      apply_sensor_noise(b, level, s, 100 + s);
      REQUIRE(a.rgb == b.rgb);
      total += mean_abs_diff(a, card);
    }
    CHECK(total > previous);
    previous = total;
  }
  Image a = card, b = card;
  apply_sensor_noise(a, 3, 1, 10);
  apply_sensor_noise(b, 3, 1, 11);  // another frame of the same episode
  CHECK(a.rgb != b.rgb);
  Image c = card;
  apply_sensor_noise(c, 0, 1, 10);
  CHECK(c.rgb == card.rgb);
}

TEST_CASE("Action latency applies each action k steps late, holding still before",
          "[perturb][action]") {
  const ActionSpace space = ee_delta_action_space();
  for (int level = 1; level <= kMaxLevel; ++level) {
    const ActionLevel p = action_level(level);
    ActionPerturbation a;
    a.reset(level, 42, space, {0, 0, 0, 0, 0, 0, -1});
    std::vector<std::vector<float>> sent;
    for (int step = 0; step < 12; ++step) {
      std::vector<float> action{0.01f * step, -0.01f * step, 0.002f * step,          0.01f,
                                0.0f,         -0.02f,        step % 2 ? 1.0f : -1.0f};
      sent.push_back(action);
      a.apply(step, action);
      if (step < p.latency_steps) {
        CHECK(action[6] == -1.0f);
        for (int k = 0; k < 6; ++k) CHECK(action[static_cast<std::size_t>(k)] == 0.0f);
        continue;
      }
      const auto& original = sent[static_cast<std::size_t>(step - p.latency_steps)];
      CHECK(action[6] == original[6]);  // the gripper command is never noisy
      for (std::size_t k = 0; k < 6; ++k) {
        const double sigma = p.noise_frac * space.high[k];
        CHECK(std::abs(action[k] - original[k]) < 6 * sigma);
      }
    }
  }
}

TEST_CASE("Action noise depends only on the episode seed and the step", "[perturb][action]") {
  const ActionSpace space = ee_delta_action_space();
  ActionPerturbation a, b;
  a.reset(1, 9, space, {0, 0, 0, 0, 0, 0, -1});
  b.reset(1, 9, space, {0, 0, 0, 0, 0, 0, -1});
  std::vector<float> x(7, 0.0f), y(7, 0.0f);
  a.apply(5, x);
  b.apply(5, y);
  CHECK(x == y);
  std::vector<float> z(7, 0.0f);
  b.apply(6, z);
  CHECK(z != x);
  double sum_sq = 0.0;
  const int n = 2000;
  for (int step = 0; step < n; ++step) {
    std::vector<float> v(7, 0.0f);
    a.apply(step, v);
    sum_sq += v[0] * v[0];
  }
  const double sigma = action_level(1).noise_frac * space.high[0];
  CHECK(std::sqrt(sum_sq / n) == Approx(sigma).epsilon(0.1));
}
