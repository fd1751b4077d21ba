#include "reports/comparisons.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "metrics/aggregate.hpp"
#include "metrics/bradley_terry.hpp"
#include "metrics/fisher_exact.hpp"
#include "metrics/judge_correction.hpp"
#include "metrics/letter_display.hpp"
#include "metrics/multiple_testing.hpp"
#include "metrics/paired_comparison.hpp"
#include "metrics/rank_distribution.hpp"
#include "reports/success_rate.hpp"

namespace gauntlet::reports {

std::string verdict_text(double difference, bool significant) {
  if (!significant) return "no significant difference";
  return difference > 0 ? "better" : "worse";
}

const PairComparison* RankingStatistics::pair(std::size_t a, std::size_t b) const {
  for (const auto& p : pairs) {
    if (p.a == a && p.b == b) return &p;
  }
  return nullptr;
}

PairedLayout paired_layout(const std::vector<const RunResults*>& runs,
                           const std::string& perturbation) {
  PairedLayout layout;
  if (runs.empty()) return layout;
  for (const auto* r : runs)
    layout.same_seeds = layout.same_seeds && r->header.suite_seed == runs[0]->header.suite_seed;
  // key -> per-run episode
  std::map<std::pair<std::string, int>, std::vector<const EpisodeResult*>> by_key;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (const auto& e : runs[i]->episodes) {
      if (e.perturbation_id != perturbation) continue;
      auto& slot = by_key[{e.task_id, e.episode_index}];
      slot.resize(runs.size(), nullptr);
      slot[i] = &e;
    }
  }
  // Task order: the first run's header order, then any others.
  std::vector<std::string> order;
  for (const auto* r : runs) {
    for (const auto& t : r->header.tasks) {
      if (std::find(order.begin(), order.end(), t.id) == order.end()) order.push_back(t.id);
    }
  }
  layout.success.resize(runs.size());
  layout.progress.resize(runs.size());
  for (const auto& task : order) {
    std::vector<std::vector<double>> succ(runs.size()), prog(runs.size());
    for (auto it = by_key.lower_bound({task, std::numeric_limits<int>::min()});
         it != by_key.end() && it->first.first == task; ++it) {
      const auto& eps = it->second;
      const bool complete =
          std::all_of(eps.begin(), eps.end(), [](const EpisodeResult* e) { return e != nullptr; });
      if (!complete) {
        ++layout.unmatched_episodes;
        continue;
      }
      if (std::any_of(eps.begin(), eps.end(),
                      [](const EpisodeResult* e) { return !e->counts_for_policy(); })) {
        ++layout.excluded_sim_errors;
        continue;
      }
      for (std::size_t i = 0; i < runs.size(); ++i) {
        succ[i].push_back(eps[i]->success ? 1.0 : 0.0);
        prog[i].push_back(eps[i]->progress);
      }
    }
    if (succ[0].empty()) continue;
    layout.tasks.push_back(task);
    layout.common_episodes += static_cast<int>(succ[0].size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
      layout.success[i].add_task(succ[i]);
      layout.progress[i].add_task(prog[i]);
    }
  }
  return layout;
}

RankingStatistics ranking_statistics(const std::vector<const RunResults*>& runs,
                                     const StatisticsOptions& options) {
  RankingStatistics st;
  st.options = options;
  const std::size_t n = runs.size();
  if (n == 0) return st;
  st.layout = paired_layout(runs);
  if (st.layout.common_episodes == 0) {
    st.note = "no nominal episode is common to every results file; nothing to compare";
    return st;
  }
  st.available = true;
  const auto& scores = st.layout.success;
  metrics::BootstrapOptions boot;
  boot.resamples = options.resamples;
  boot.seed = options.seed;
  boot.level = 1.0 - options.alpha;
  // World-model runs with a card (one card for all: it is in the suite hash):
  // rates and differences are corrected, their intervals taken at the
  // apparent level and widened by the card's uncertainty
  // (metrics/judge_correction.hpp). Tests, ranks and letters are unchanged:
  // the correction is one increasing affine map for every policy, so "no
  // difference" and the order mean the same before and after it.
  const auto card = judge_card_info(runs.front()->header, runs.front()->header.policy_name);
  const bool correct = card && metrics::judge_error_rates(card->counts).youden > 0.0;
  const metrics::JudgeErrorRates card_rates =
      card ? metrics::judge_error_rates(card->counts) : metrics::JudgeErrorRates{};
  metrics::BootstrapOptions apparent = boot;
  if (correct) apparent.level = metrics::apparent_level(boot.level);
  const auto intervals = metrics::aggregate_intervals(scores, {}, apparent);
  for (const auto& e : intervals) {
    if (correct) {
      st.task_mean.push_back(
          metrics::rogan_gladen(e.estimate, card_rates.sensitivity, card_rates.specificity));
      st.task_mean_ci.push_back(
          metrics::corrected_rate_interval(e.interval, card->counts, boot.level).interval);
    } else {
      st.task_mean.push_back(e.estimate);
      st.task_mean_ci.push_back(e.interval);
    }
  }
  if (n >= 2) {
    metrics::RankOptions rank_options;
    rank_options.bootstrap = boot;
    rank_options.bootstrap.level = 0.95;
    rank_options.resampling =
        st.layout.same_seeds ? metrics::Resampling::kPaired : metrics::Resampling::kIndependent;
    const auto ranks = metrics::rank_distribution(scores, {}, rank_options);
    st.p_best = ranks.p_best;
    st.mean_rank = ranks.mean_rank;
    st.rank_lo = ranks.rank_lo;
    st.rank_hi = ranks.rank_hi;
    st.rank_probability = ranks.probability;
  } else {
    st.p_best = {1.0};
    st.mean_rank = {1.0};
    st.rank_lo = {1};
    st.rank_hi = {1};
    st.rank_probability = {1.0};
  }

  // Pairwise: the task-stratified exact paired test of the task-mean difference
  // (or CMH over tasks of the Mantel-Haenszel difference when seeds differ),
  // Holm/BH over all pairs, paired bootstrap intervals.
  std::vector<double> raw;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      PairComparison c;
      c.a = a;
      c.b = b;
      c.difference = st.task_mean[b] - st.task_mean[a];
      if (st.layout.same_seeds) {
        // Each pair on its own common episodes: more pairs than the layout
        // every policy shares when submissions ran different episode counts.
        const PairedLayout pair_layout = paired_layout({runs[a], runs[b]});
        if (pair_layout.common_episodes == 0) {
          raw.push_back(1.0);
          st.pairs.push_back(c);
          continue;
        }
        const auto& sa = pair_layout.success[0];
        const auto& sb = pair_layout.success[1];
        // One estimand: the task-mean difference and its task-stratified exact test.
        const auto strat = metrics::stratified_mcnemar(sa, sb);
        c.a_only = strat.a_only;
        c.b_only = strat.b_only;
        c.pairs = strat.pairs;
        c.p_value = strat.p_two_sided;
        c.difference = strat.difference;
        metrics::BootstrapOptions pb = apparent;
        pb.seed = options.seed + 7919 * (a * n + b + 1);
        c.ci = metrics::paired_bootstrap_difference(sa, sb, {}, pb).interval;
      } else {
        // Unpaired: CMH over tasks; the effect is the Mantel-Haenszel difference it tests.
        std::vector<metrics::TwoByTwo> tables;
        for (std::size_t t = 0; t < scores[a].tasks(); ++t) {
          const auto ta = scores[a].task(t);
          const auto tb = scores[b].task(t);
          const auto ka =
              static_cast<std::int64_t>(std::lround(std::accumulate(ta.begin(), ta.end(), 0.0)));
          const auto kb =
              static_cast<std::int64_t>(std::lround(std::accumulate(tb.begin(), tb.end(), 0.0)));
          tables.push_back(metrics::TwoByTwo::from_proportions(
              kb, static_cast<std::int64_t>(tb.size()), ka, static_cast<std::int64_t>(ta.size())));
        }
        const auto cmh = metrics::cochran_mantel_haenszel(tables);
        c.pairs = static_cast<long long>(scores[a].episodes());
        c.p_value = cmh.p_value;
        c.difference = cmh.risk_difference;
        const auto ea = metrics::aggregate_interval(scores[a], {}, apparent).interval;
        const auto eb = metrics::aggregate_interval(scores[b], {}, apparent).interval;
        // Conservative: the difference of independent intervals' far ends.
        c.ci = {eb.lo - ea.hi, eb.hi - ea.lo};
      }
      if (correct) {
        c.difference = metrics::corrected_difference(c.difference, card->counts);
        c.ci = metrics::corrected_difference_interval(c.ci, card->counts, boot.level).interval;
      }
      raw.push_back(c.p_value);
      st.pairs.push_back(c);
    }
  }
  const auto adjusted =
      metrics::adjust_p_values(raw, metrics::parse_adjustment(options.adjustment));
  std::vector<double> matrix(n * n, 1.0);
  for (std::size_t k = 0; k < st.pairs.size(); ++k) {
    auto& c = st.pairs[k];
    c.p_adjusted = adjusted[k];
    c.significant = c.p_adjusted <= options.alpha;
    c.verdict = verdict_text(c.difference, c.significant);
    matrix[c.a * n + c.b] = c.p_value;
    matrix[c.b * n + c.a] = c.p_value;
  }
  const auto significant = metrics::significance_matrix(
      n, matrix, options.alpha, metrics::parse_adjustment(options.adjustment));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return st.task_mean[x] > st.task_mean[y]; });
  st.letters = metrics::compact_letter_display(n, significant, order);

  if (n >= 2 && st.layout.same_seeds) {
    metrics::BootstrapOptions bt_boot = boot;
    bt_boot.resamples = std::min<long>(options.resamples, 1000);
    bt_boot.level = 0.95;
    try {
      const auto bt = metrics::bradley_terry(scores, {}, bt_boot);
      st.elo = bt.fit.elo;
      st.elo_ci = bt.elo_interval;
    } catch (const std::exception& e) {
      st.note +=
          std::string(st.note.empty() ? "" : "; ") + "Bradley-Terry not estimable: " + e.what();
    }
  }
  if (card) {
    st.note += std::string(st.note.empty() ? "" : "; ") +
               (correct ? "success rates, differences and their intervals are CORRECTED for the "
                          "world-model judge's error rates (card " +
                              card->card +
                              "); tests, ranks and letter groups are those of the judged "
                              "outcomes, which the correction (one increasing map for every "
                              "policy) leaves unchanged; Elo is on judged outcomes"
                        : "the card " + card->card +
                              " measured an uninformative judge (sensitivity + specificity <= "
                              "1): rates are NOT corrected");
    if (!card->rankable) st.note += "; the card says NOT RANKABLE: " + card->rankable_note;
  }
  if (!st.layout.same_seeds) {
    st.note += std::string(st.note.empty() ? "" : "; ") +
               "the results files used different suite seeds, so episodes are not paired: pairwise "
               "tests are "
               "Cochran-Mantel-Haenszel over tasks (the difference shown is the Mantel-Haenszel "
               "one) and intervals "
               "are conservative";
  }
  if (st.layout.excluded_sim_errors > 0 || st.layout.unmatched_episodes > 0) {
    st.note += std::string(st.note.empty() ? "" : "; ") +
               std::to_string(st.layout.common_episodes) + " common episodes compared (" +
               std::to_string(st.layout.excluded_sim_errors) + " dropped for a simulator error, " +
               std::to_string(st.layout.unmatched_episodes) + " present in some files only)";
  }
  return st;
}

}  // namespace gauntlet::reports
