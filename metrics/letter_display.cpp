#include "metrics/letter_display.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace gauntlet::metrics {
namespace {

using Column = std::vector<std::uint8_t>;  // membership of each policy in one letter

bool subset_of(const Column& x, const Column& y) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] && !y[i]) return false;
  }
  return true;
}

// Drops every column contained in another one (of two equal columns the later goes).
void absorb(std::vector<Column>& columns) {
  std::vector<Column> kept;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    bool redundant = false;
    for (std::size_t d = 0; d < columns.size() && !redundant; ++d) {
      if (c == d || !subset_of(columns[c], columns[d])) continue;
      // Equal columns: keep the first of them.
      redundant = !subset_of(columns[d], columns[c]) || d < c;
    }
    if (!redundant) kept.push_back(columns[c]);
  }
  columns.swap(kept);
}

std::string letter_name(std::size_t k) {
  if (k < 26) return std::string(1, static_cast<char>('a' + k));
  if (k < 52) return std::string(1, static_cast<char>('A' + (k - 26)));
  return "{" + std::to_string(k) + "}";
}

}  // namespace

std::vector<std::string> compact_letter_display(std::size_t n,
                                                std::span<const std::uint8_t> significant,
                                                std::span<const std::size_t> order) {
  if (significant.size() != n * n) {
    throw std::invalid_argument("letter display: the significance matrix must be n x n");
  }
  std::vector<std::size_t> rank_of(n);
  if (order.empty()) {
    std::iota(rank_of.begin(), rank_of.end(), std::size_t{0});
  } else {
    if (order.size() != n)
      throw std::invalid_argument("letter display: order must list n policies");
    std::vector<std::uint8_t> seen(n, 0);
    for (std::size_t r = 0; r < n; ++r) {
      if (order[r] >= n || seen[order[r]]) {
        throw std::invalid_argument("letter display: order must be a permutation of the policies");
      }
      seen[order[r]] = 1;
      rank_of[order[r]] = r;
    }
  }
  auto differ = [&](std::size_t i, std::size_t j) {
    return significant[i * n + j] != 0 || significant[j * n + i] != 0;
  };
  if (n == 0) return {};

  // Insert and absorb, one significant pair at a time.
  std::vector<Column> columns{Column(n, 1)};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (!differ(i, j)) continue;
      const std::size_t count = columns.size();
      bool split = false;
      for (std::size_t c = 0; c < count; ++c) {
        if (!(columns[c][i] && columns[c][j])) continue;
        Column copy = columns[c];
        columns[c][i] = 0;
        copy[j] = 0;
        columns.push_back(std::move(copy));
        split = true;
      }
      if (split) absorb(columns);
    }
  }

  // Sweep: a policy's membership in a column is redundant when each of its non-significant
  // partners in that column also shares another column with it.
  for (auto& column : columns) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!column[i]) continue;
      bool elsewhere = false;
      for (const auto& other : columns) elsewhere |= (&other != &column && other[i]);
      if (!elsewhere) continue;
      bool redundant = true;
      for (std::size_t j = 0; j < n && redundant; ++j) {
        if (j == i || !column[j]) continue;
        bool shared = false;
        for (const auto& other : columns) {
          shared |= (&other != &column && other[i] && other[j]);
        }
        redundant = shared;
      }
      if (redundant) column[i] = 0;
    }
  }
  columns.erase(std::remove_if(columns.begin(), columns.end(),
                               [](const Column& c) {
                                 return std::none_of(c.begin(), c.end(),
                                                     [](std::uint8_t v) { return v != 0; });
                               }),
                columns.end());
  absorb(columns);

  // Letters in the order of each column's best members.
  auto key = [&](const Column& c) {
    std::vector<std::size_t> ranks;
    for (std::size_t i = 0; i < n; ++i) {
      if (c[i]) ranks.push_back(rank_of[i]);
    }
    std::sort(ranks.begin(), ranks.end());
    return ranks;
  };
  std::sort(columns.begin(), columns.end(),
            [&](const Column& x, const Column& y) { return key(x) < key(y); });
  std::vector<std::string> out(n);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      if (columns[c][i]) out[i] += letter_name(c);
    }
  }
  return out;
}

std::vector<std::uint8_t> significance_matrix(std::size_t n, std::span<const double> p_values,
                                              double alpha, Adjustment adjustment) {
  if (p_values.size() != n * n) {
    throw std::invalid_argument("significance matrix: p-values must be n x n");
  }
  std::vector<double> family;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) family.push_back(p_values[i * n + j]);
  }
  const auto adjusted = adjust_p_values(family, adjustment);
  std::vector<std::uint8_t> out(n * n, 0);
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j, ++k) {
      const std::uint8_t s = adjusted[k] <= alpha ? 1 : 0;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

}  // namespace gauntlet::metrics
