#include "metrics/image_fidelity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace gauntlet::metrics {
namespace {

void require_same(ImageView a, ImageView b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels || a.width <= 0 ||
      a.height <= 0 || a.channels <= 0) {
    throw std::invalid_argument("images differ in size or are empty: " + std::to_string(a.width) +
                                "x" + std::to_string(a.height) + "x" + std::to_string(a.channels) +
                                " vs " + std::to_string(b.width) + "x" + std::to_string(b.height) +
                                "x" + std::to_string(b.channels));
  }
}

// The normalised 1-D window; the 2-D window is its outer product.
std::vector<double> window_1d(SsimWindow w) {
  if (w == SsimWindow::kUniform8) return std::vector<double>(8, 1.0 / 8.0);
  std::vector<double> g(11);
  double sum = 0.0;
  for (int i = 0; i < 11; ++i) {
    const double x = i - 5;
    g[static_cast<std::size_t>(i)] = std::exp(-x * x / (2.0 * 1.5 * 1.5));
    sum += g[static_cast<std::size_t>(i)];
  }
  for (auto& v : g) v /= sum;
  return g;
}

// "Valid" separable filtering of a plane (h x w) with window `k`.
std::vector<double> filter_valid(const std::vector<double>& plane, int w, int h,
                                 const std::vector<double>& k) {
  const int n = static_cast<int>(k.size());
  const int ow = w - n + 1;
  const int oh = h - n + 1;
  std::vector<double> rows(static_cast<std::size_t>(ow) * static_cast<std::size_t>(h));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < ow; ++x) {
      double s = 0.0;
      for (int i = 0; i < n; ++i)
        s += k[static_cast<std::size_t>(i)] * plane[static_cast<std::size_t>(y * w + x + i)];
      rows[static_cast<std::size_t>(y * ow + x)] = s;
    }
  }
  std::vector<double> out(static_cast<std::size_t>(ow) * static_cast<std::size_t>(oh));
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      double s = 0.0;
      for (int i = 0; i < n; ++i)
        s += k[static_cast<std::size_t>(i)] * rows[static_cast<std::size_t>((y + i) * ow + x)];
      out[static_cast<std::size_t>(y * ow + x)] = s;
    }
  }
  return out;
}

// Eigenvalues (and, when `vectors`, eigenvectors as columns) of a symmetric
// matrix by cyclic Jacobi rotations; `m` is destroyed.
std::vector<double> symmetric_eigen(std::vector<double>& m, int n, std::vector<double>* vectors) {
  auto at = [&](std::vector<double>& a, int r, int c) -> double& {
    return a[static_cast<std::size_t>(r) * static_cast<std::size_t>(n) +
             static_cast<std::size_t>(c)];
  };
  if (vectors) {
    vectors->assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0.0);
    for (int i = 0; i < n; ++i) at(*vectors, i, i) = 1.0;
  }
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    double diag = 0.0;
    for (int i = 0; i < n; ++i) {
      diag += at(m, i, i) * at(m, i, i);
      for (int j = i + 1; j < n; ++j) off += at(m, i, j) * at(m, i, j);
    }
    if (off <= 1e-30 * std::max(diag, 1e-300)) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const double apq = at(m, p, q);
        if (std::abs(apq) < 1e-300) continue;
        const double theta = (at(m, q, q) - at(m, p, p)) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0);
        const double s = t * c;
        for (int k = 0; k < n; ++k) {
          const double akp = at(m, k, p);
          const double akq = at(m, k, q);
          at(m, k, p) = c * akp - s * akq;
          at(m, k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {
          const double apk = at(m, p, k);
          const double aqk = at(m, q, k);
          at(m, p, k) = c * apk - s * aqk;
          at(m, q, k) = s * apk + c * aqk;
        }
        if (vectors) {
          for (int k = 0; k < n; ++k) {
            const double vkp = at(*vectors, k, p);
            const double vkq = at(*vectors, k, q);
            at(*vectors, k, p) = c * vkp - s * vkq;
            at(*vectors, k, q) = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  std::vector<double> values(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = at(m, i, i);
  return values;
}

void mean_and_covariance(std::span<const double> x, int dim, std::vector<double>& mean,
                         std::vector<double>& cov) {
  const auto d = static_cast<std::size_t>(dim);
  const std::size_t n = x.size() / d;
  mean.assign(d, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t j = 0; j < d; ++j) mean[j] += x[r * d + j];
  }
  for (auto& m : mean) m /= static_cast<double>(n);
  cov.assign(d * d, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t i = 0; i < d; ++i) {
      const double di = x[r * d + i] - mean[i];
      for (std::size_t j = i; j < d; ++j) cov[i * d + j] += di * (x[r * d + j] - mean[j]);
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = i; j < d; ++j) {
      cov[i * d + j] /= static_cast<double>(n - 1);
      cov[j * d + i] = cov[i * d + j];
    }
  }
}

}  // namespace

double mean_squared_error(ImageView a, ImageView b) {
  require_same(a, b);
  const std::size_t n = static_cast<std::size_t>(a.width) * static_cast<std::size_t>(a.height) *
                        static_cast<std::size_t>(a.channels);
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a.data[i]) - static_cast<double>(b.data[i]);
    s += d * d;
  }
  return s / static_cast<double>(n);
}

double psnr(ImageView a, ImageView b, double peak) {
  const double mse = mean_squared_error(a, b);
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

double ssim(ImageView a, ImageView b, const SsimOptions& o) {
  require_same(a, b);
  const std::vector<double> k = window_1d(o.window);
  const int n = static_cast<int>(k.size());
  if (a.width < n || a.height < n) {
    throw std::invalid_argument("SSIM: a " + std::to_string(a.width) + "x" +
                                std::to_string(a.height) + " image is smaller than the " +
                                std::to_string(n) + "x" + std::to_string(n) + " window");
  }
  const double c1 = (o.k1 * o.peak) * (o.k1 * o.peak);
  const double c2 = (o.k2 * o.peak) * (o.k2 * o.peak);
  const std::size_t plane = static_cast<std::size_t>(a.width) * static_cast<std::size_t>(a.height);
  double total = 0.0;
  std::vector<double> x(plane), y(plane), xx(plane), yy(plane), xy(plane);
  for (int c = 0; c < a.channels; ++c) {
    for (std::size_t p = 0; p < plane; ++p) {
      x[p] = a.data[p * static_cast<std::size_t>(a.channels) + static_cast<std::size_t>(c)];
      y[p] = b.data[p * static_cast<std::size_t>(b.channels) + static_cast<std::size_t>(c)];
      xx[p] = x[p] * x[p];
      yy[p] = y[p] * y[p];
      xy[p] = x[p] * y[p];
    }
    const auto mx = filter_valid(x, a.width, a.height, k);
    const auto my = filter_valid(y, a.width, a.height, k);
    const auto sxx = filter_valid(xx, a.width, a.height, k);
    const auto syy = filter_valid(yy, a.width, a.height, k);
    const auto sxy = filter_valid(xy, a.width, a.height, k);
    double sum = 0.0;
    for (std::size_t i = 0; i < mx.size(); ++i) {
      const double vx = sxx[i] - mx[i] * mx[i];
      const double vy = syy[i] - my[i] * my[i];
      const double cxy = sxy[i] - mx[i] * my[i];
      sum += ((2 * mx[i] * my[i] + c1) * (2 * cxy + c2)) /
             ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    total += sum / static_cast<double>(mx.size());
  }
  return total / a.channels;
}

double frechet_distance(std::span<const double> a, std::span<const double> b, int dim) {
  if (dim < 1) throw std::invalid_argument("frechet_distance: dim must be >= 1");
  const auto d = static_cast<std::size_t>(dim);
  if (a.size() % d != 0 || b.size() % d != 0 || a.size() / d < 2 || b.size() / d < 2) {
    throw std::invalid_argument("frechet_distance: each set needs at least 2 rows of " +
                                std::to_string(dim) + " numbers");
  }
  std::vector<double> ma, ca, mb, cb;
  mean_and_covariance(a, dim, ma, ca);
  mean_and_covariance(b, dim, mb, cb);
  double dist = 0.0;
  for (std::size_t i = 0; i < d; ++i) dist += (ma[i] - mb[i]) * (ma[i] - mb[i]);
  double trace = 0.0;
  for (std::size_t i = 0; i < d; ++i) trace += ca[i * d + i] + cb[i * d + i];
  // Tr((Sa Sb)^(1/2)) = sum of sqrt(eig(Sa^(1/2) Sb Sa^(1/2))), a symmetric PSD product.
  std::vector<double> work = ca;
  std::vector<double> vec;
  const std::vector<double> ev = symmetric_eigen(work, dim, &vec);
  std::vector<double> root(d * d, 0.0);  // Sa^(1/2) = V diag(sqrt(max(ev, 0))) V^T
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < d; ++k)
        s += vec[i * d + k] * std::sqrt(std::max(ev[k], 0.0)) * vec[j * d + k];
      root[i * d + j] = s;
    }
  }
  std::vector<double> tmp(d * d, 0.0), prod(d * d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < d; ++k) s += root[i * d + k] * cb[k * d + j];
      tmp[i * d + j] = s;
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < d; ++k) s += tmp[i * d + k] * root[k * d + j];
      prod[i * d + j] = s;
    }
  }
  for (std::size_t i = 0; i < d; ++i) {  // symmetrise rounding
    for (std::size_t j = i + 1; j < d; ++j)
      prod[i * d + j] = prod[j * d + i] = 0.5 * (prod[i * d + j] + prod[j * d + i]);
  }
  const std::vector<double> pe = symmetric_eigen(prod, dim, nullptr);
  double tr_root = 0.0;
  for (const double v : pe) tr_root += std::sqrt(std::max(v, 0.0));
  return dist + trace - 2.0 * tr_root;
}

}  // namespace gauntlet::metrics
