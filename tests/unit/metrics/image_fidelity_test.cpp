#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "metrics/confusion.hpp"
#include "metrics/image_fidelity.hpp"
#include "metrics/random.hpp"
#include "tests/unit/metrics/golden.hpp"

using namespace gauntlet::metrics;
using gauntlet::metrics::test::format_double;

namespace {

struct Pixels {
  int w = 0, h = 0, c = 3;
  std::vector<std::uint8_t> v;
  ImageView view() const { return ImageView{v.data(), w, h, c}; }
};

Pixels noise_image(Xoshiro256& rng, int w, int h, int c) {
  Pixels p{w, h, c, {}};
  for (int i = 0; i < w * h * c; ++i)
    p.v.push_back(static_cast<std::uint8_t>(rng.uniform() * 256.0));
  return p;
}

// A smooth picture (gradient plus a square) and a distorted copy.
Pixels scene(int w, int h, int shift) {
  Pixels p{w, h, 3, {}};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool square = x >= 10 + shift && x < 30 + shift && y >= 12 && y < 28;
      p.v.push_back(static_cast<std::uint8_t>(square ? 220 : 4 * x % 256));
      p.v.push_back(static_cast<std::uint8_t>(square ? 30 : 3 * y % 256));
      p.v.push_back(static_cast<std::uint8_t>((x + y) % 256));
    }
  }
  return p;
}

Pixels add_noise(const Pixels& p, Xoshiro256& rng, double amplitude) {
  Pixels q = p;
  for (auto& v : q.v) {
    const double n = std::round(v + amplitude * (rng.uniform() - 0.5));
    v = static_cast<std::uint8_t>(std::clamp(n, 0.0, 255.0));
  }
  return q;
}

std::string image_row(const std::string& name, const Pixels& p) {
  std::ostringstream s;
  s << "image," << name << "," << p.w << "," << p.h << "," << p.c << ",";
  for (std::size_t i = 0; i < p.v.size(); ++i) s << (i ? " " : "") << static_cast<int>(p.v[i]);
  s << "\n";
  return s.str();
}

}  // namespace

TEST_CASE(
    "PSNR has its closed form: identical images are infinite, a constant offset d gives 20 "
    "log10(255/d)",
    "[metrics][fidelity]") {
  Pixels a{16, 8, 3, std::vector<std::uint8_t>(16 * 8 * 3, 100)};
  Pixels b = a;
  CHECK(mean_squared_error(a.view(), b.view()) == 0.0);
  CHECK(std::isinf(psnr(a.view(), b.view())));
  for (const int d : {1, 5, 50}) {
    for (auto& v : b.v) v = static_cast<std::uint8_t>(100 + d);
    CHECK(mean_squared_error(a.view(), b.view()) == Approx(d * d));
    CHECK(psnr(a.view(), b.view()) == Approx(20.0 * std::log10(255.0 / d)).epsilon(1e-12));
  }
  // Half the pixels off by 10: MSE 50.
  for (std::size_t i = 0; i < b.v.size(); ++i)
    b.v[i] = static_cast<std::uint8_t>(i % 2 ? 110 : 100);
  CHECK(mean_squared_error(a.view(), b.view()) == Approx(50.0));
  CHECK_THROWS_AS(psnr(a.view(), ImageView{a.v.data(), 8, 16, 3}), std::invalid_argument);
}

TEST_CASE(
    "SSIM is 1 for identical images, falls with distortion, and rejects images smaller than the "
    "window",
    "[metrics][fidelity]") {
  Xoshiro256 rng(3);
  const Pixels a = scene(40, 40, 0);
  CHECK(ssim(a.view(), a.view()) == Approx(1.0).epsilon(1e-12));
  const double light = ssim(a.view(), add_noise(a, rng, 10).view());
  const double heavy = ssim(a.view(), add_noise(a, rng, 120).view());
  CHECK(light < 1.0);
  CHECK(heavy < light);
  CHECK(ssim(a.view(), scene(40, 40, 6).view()) < 0.95);  // the square moved
  const Pixels tiny = noise_image(rng, 10, 10, 3);
  CHECK_THROWS_AS(ssim(tiny.view(), tiny.view()), std::invalid_argument);  // 11x11 window
  SsimOptions uniform;
  uniform.window = SsimWindow::kUniform8;
  CHECK(ssim(tiny.view(), tiny.view(), uniform) == Approx(1.0));
}

TEST_CASE("PSNR, SSIM (both windows) and the Frechet distance equal independent scipy computations",
          "[metrics][fidelity][golden]") {
  Xoshiro256 rng(11);
  std::ostringstream in;
  in << "kind,name,w,h,c,values\n";
  struct Pair {
    std::string name;
    Pixels a, b;
  };
  std::vector<Pair> pairs;
  const Pixels s = scene(48, 40, 0);
  pairs.push_back({"scene-light-noise", s, add_noise(s, rng, 16)});
  pairs.push_back({"scene-heavy-noise", s, add_noise(s, rng, 200)});
  pairs.push_back({"scene-shifted", s, scene(48, 40, 5)});
  pairs.push_back({"noise-vs-noise", noise_image(rng, 23, 17, 3), noise_image(rng, 23, 17, 3)});
  const Pixels g = noise_image(rng, 20, 12, 1);
  pairs.push_back({"gray", g, add_noise(g, rng, 60)});
  for (const auto& p : pairs) in << image_row(p.name, p.a) << image_row(p.name, p.b);

  struct Features {
    std::string name;
    int dim;
    std::vector<double> a, b;
  };
  std::vector<Features> features;
  for (const auto& [name, dim, na, nb, offset] :
       std::vector<std::tuple<std::string, int, int, int, double>>{
           {"fd-4", 4, 30, 25, 0.5}, {"fd-8-same", 8, 40, 40, 0.0}, {"fd-3-small", 3, 6, 9, 2.0}}) {
    Features f{name, dim, {}, {}};
    for (int i = 0; i < na * dim; ++i) f.a.push_back(rng.uniform() + 0.3 * (i % dim));
    for (int i = 0; i < nb * dim; ++i) f.b.push_back(1.5 * rng.uniform() + offset);
    for (int side = 0; side < 2; ++side) {
      const auto& rows = side ? f.b : f.a;
      for (std::size_t r = 0; r * dim < rows.size(); ++r) {
        in << "feature," << name << (side ? "/b" : "/a") << ",0,0,0,";
        for (int d = 0; d < dim; ++d) in << (d ? " " : "") << format_double(rows[r * dim + d]);
        in << "\n";
      }
    }
    features.push_back(f);
  }
  const auto golden = test::run_golden("fidelity", in.str());
  if (!golden) return;
  REQUIRE(golden->rows.size() == 2 * pairs.size() + features.size());
  std::size_t row = 0;
  for (const auto& p : pairs) {
    INFO(p.name);
    for (const auto window : {SsimWindow::kGaussian11, SsimWindow::kUniform8}) {
      REQUIRE(golden->text(row, "name") == p.name);
      CHECK(mean_squared_error(p.a.view(), p.b.view()) ==
            Approx(golden->number(row, "mse")).epsilon(1e-12));
      CHECK(psnr(p.a.view(), p.b.view()) == Approx(golden->number(row, "psnr")).epsilon(1e-12));
      SsimOptions o;
      o.window = window;
      CHECK(ssim(p.a.view(), p.b.view(), o) == Approx(golden->number(row, "value")).margin(1e-9));
      ++row;
    }
  }
  for (const auto& f : features) {
    INFO(f.name);
    REQUIRE(golden->text(row, "name") == f.name);
    const double fd = frechet_distance(f.a, f.b, f.dim);
    CHECK(fd == Approx(golden->number(row, "value")).epsilon(1e-6).margin(1e-8));
    ++row;
  }
}

TEST_CASE(
    "The confusion matrix and its rates have their textbook values, and kappa equals statsmodels",
    "[metrics][confusion][golden]") {
  // reference (simulator) and predicted (judge): 3 TP, 1 FN, 2 FP, 4 TN.
  const std::array<bool, 10> ref{true, true, true, true, false, false, false, false, false, false};
  const std::array<bool, 10> pred{true, true, true, false, true, true, false, false, false, false};
  const ConfusionMatrix m = confusion_matrix(ref, pred);
  CHECK(m.true_positive == 3);
  CHECK(m.false_negative == 1);
  CHECK(m.false_positive == 2);
  CHECK(m.true_negative == 4);
  const BinaryAgreement a = binary_agreement(m);
  CHECK(a.accuracy == Approx(0.7));
  CHECK(a.sensitivity == Approx(0.75));
  CHECK(a.specificity == Approx(4.0 / 6.0));
  CHECK(a.balanced_accuracy == Approx((0.75 + 4.0 / 6.0) / 2));
  CHECK(a.self_correction == Approx(2.0 / 6.0));
  // po = 0.7, pe = 0.4 * 0.5 + 0.6 * 0.5 = 0.5.
  CHECK(a.cohen_kappa == Approx(0.4));
  CHECK(a.self_correction_ci.lo < a.self_correction);
  CHECK(a.self_correction_ci.hi > a.self_correction);
  CHECK_THROWS_AS(confusion_matrix(ref, std::array<bool, 1>{true}), std::invalid_argument);
  // No failed reference episode: the self-correction rate is undefined, not 0.
  const BinaryAgreement all_success = binary_agreement(ConfusionMatrix{5, 0, 1, 0});
  CHECK(std::isnan(all_success.self_correction));
  CHECK(std::isnan(all_success.specificity));

  const std::vector<std::array<int, 4>> tables{
      {3, 2, 1, 4}, {10, 0, 0, 10}, {7, 5, 6, 2}, {0, 3, 4, 9}, {20, 1, 9, 3}};
  std::ostringstream in;
  in << "tp,fp,fn,tn\n";
  for (const auto& t : tables) in << t[0] << "," << t[1] << "," << t[2] << "," << t[3] << "\n";
  const auto golden = test::run_golden("kappa", in.str());
  if (!golden) return;
  REQUIRE(golden->rows.size() == tables.size());
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const auto& t = tables[i];
    const BinaryAgreement b = binary_agreement(ConfusionMatrix{t[0], t[1], t[2], t[3]});
    CHECK(b.cohen_kappa == Approx(golden->number(i, "kappa")).margin(1e-12));
  }
}
