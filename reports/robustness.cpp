#include "reports/robustness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "harness/errors.hpp"
#include "metrics/aggregate.hpp"
#include "metrics/paired_comparison.hpp"

namespace gauntlet::reports {
namespace {

struct Outcome {
  std::uint64_t seed = 0;
  double success = 0.0;
  bool counts = true;
};
// (task, episode index) -> outcome, for one perturbation id.
using Episodes = std::map<std::pair<std::string, int>, Outcome>;

std::uint64_t id_hash(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

class Builder {
 public:
  Builder(const RunResults& run, const RobustnessOptions& options) : run_(run), options_(options) {
    for (const auto& t : run.header.tasks) tasks_.push_back(t.id);
    for (const auto& e : run.episodes) {
      by_set_[e.perturbation_id][{e.task_id, e.episode_index}] =
          Outcome{e.seed, e.success ? 1.0 : 0.0, e.counts_for_policy()};
      if (std::find(tasks_.begin(), tasks_.end(), e.task_id) == tasks_.end())
        tasks_.push_back(e.task_id);
    }
  }

  bool has(const std::string& id) const { return by_set_.count(id) != 0; }
  const std::map<std::string, Episodes>& sets() const { return by_set_; }

  metrics::BootstrapOptions bootstrap(const std::string& id) const {
    metrics::BootstrapOptions b;
    b.resamples = options_.resamples;
    b.level = options_.level;
    b.seed = options_.seed ^ id_hash(id);
    return b;
  }

  // Per task, the episode keys present (and counted, with equal seeds) in every set of `ids`.
  std::vector<std::vector<std::pair<std::string, int>>> common_keys(
      const std::vector<std::string>& ids, int* seed_mismatches) const {
    std::vector<std::vector<std::pair<std::string, int>>> out(tasks_.size());
    const Episodes& first = by_set_.at(ids.front());
    for (const auto& [key, outcome] : first) {
      const auto t = static_cast<std::size_t>(std::find(tasks_.begin(), tasks_.end(), key.first) -
                                              tasks_.begin());
      bool all = outcome.counts;
      for (std::size_t i = 1; i < ids.size() && all; ++i) {
        const Episodes& other = by_set_.at(ids[i]);
        const auto it = other.find(key);
        if (it == other.end() || !it->second.counts) {
          all = false;
        } else if (it->second.seed != outcome.seed) {
          all = false;
          if (seed_mismatches) ++*seed_mismatches;
        }
      }
      if (all) out[t].push_back(key);
    }
    return out;
  }

  metrics::TaskScores scores(
      const std::string& id,
      const std::vector<std::vector<std::pair<std::string, int>>>& keys) const {
    metrics::TaskScores s;
    const Episodes& e = by_set_.at(id);
    for (const auto& task : keys) {
      if (task.empty()) continue;
      std::vector<double> v;
      for (const auto& k : task) v.push_back(e.at(k).success);
      s.add_task(v);
    }
    return s;
  }

  PairedDrop paired_drop(const std::string& id, std::vector<std::string>& notes) const {
    PairedDrop d;
    d.perturbation_id = id;
    int successes = 0, trials = 0;
    for (const auto& [key, o] : by_set_.at(id)) {
      if (!o.counts) continue;
      ++trials;
      successes += static_cast<int>(o.success);
    }
    d.success = make_rate(successes, trials);
    d.drop_ci = {std::nan(""), std::nan("")};
    d.drop = std::nan("");
    if (!has("nominal")) return d;
    int mismatches = 0;
    const auto keys = common_keys({id, "nominal"}, &mismatches);
    for (const auto& k : keys) d.pairs += static_cast<int>(k.size());
    if (mismatches > 0) {
      notes.push_back(id + ": " + std::to_string(mismatches) +
                      " episodes have a nominal twin with another seed and are not paired");
    }
    const int unpaired = trials - d.pairs - mismatches;
    if (unpaired > 0) {
      notes.push_back(
          id + ": " + std::to_string(unpaired) +
          " counted episodes have no counted nominal twin (missing, or a simulator error)");
    }
    if (d.pairs == 0) return d;
    const metrics::TaskScores perturbed = scores(id, keys);
    const metrics::TaskScores nominal = scores("nominal", keys);
    const metrics::BootstrapEstimate est = metrics::paired_bootstrap_difference(
        perturbed, nominal, metrics::AggregateSpec{}, bootstrap(id));
    d.drop = est.estimate;
    d.drop_ci = est.interval;
    d.nominal_rate = metrics::aggregate(nominal);
    d.perturbed_rate = metrics::aggregate(perturbed);
    const metrics::PairedCounts counts = metrics::paired_counts(nominal, perturbed);
    d.lost = static_cast<int>(counts.a_only);
    d.gained = static_cast<int>(counts.b_only);
    d.mcnemar_p = metrics::mcnemar_exact(counts).p_value;
    return d;
  }

  Interaction interaction(const std::string& id, const PerturbationSet& set,
                          std::vector<std::string>& notes) const {
    Interaction x;
    x.perturbation_id = id;
    x.observed = paired_drop(id, notes);
    x.complete = has("nominal");
    for (const auto& item : set.items) {
      PerturbationSet single;
      single.items.push_back(item);
      x.singles.push_back(single.id());
      if (!has(x.singles.back())) x.complete = false;
    }
    x.sum_of_single_drops = x.interaction = std::nan("");
    x.interaction_ci = {std::nan(""), std::nan("")};
    if (!x.complete) {
      notes.push_back(id + ": the interaction needs nominal and every single set (" +
                      join_names(x.singles) + ") in the same file");
      return x;
    }
    std::vector<std::string> ids{"nominal", id};
    ids.insert(ids.end(), x.singles.begin(), x.singles.end());
    const auto keys = common_keys(ids, nullptr);
    const metrics::TaskScores nominal = scores("nominal", keys);
    if (nominal.episodes() == 0) return x;
    x.episodes = static_cast<int>(nominal.episodes());
    const metrics::TaskScores composed = scores(id, keys);
    // Per episode: (nominal - composed) - sum over singles of (nominal - single).
    std::vector<metrics::TaskScores> singles;
    for (const auto& s : x.singles) singles.push_back(scores(s, keys));
    metrics::TaskScores diff = composed, singles_sum = composed;
    for (std::size_t i = 0; i < diff.values.size(); ++i) {
      double sum = 0.0;
      for (const auto& single : singles) sum += nominal.values[i] - single.values[i];
      singles_sum.values[i] = sum;
      diff.values[i] = (nominal.values[i] - composed.values[i]) - sum;
    }
    x.sum_of_single_drops = metrics::aggregate(singles_sum);
    const metrics::BootstrapEstimate est =
        metrics::aggregate_interval(diff, metrics::AggregateSpec{}, bootstrap(id + "#interaction"));
    x.interaction = est.estimate;
    x.interaction_ci = est.interval;
    return x;
  }

  std::optional<VariantAggregate> variant_aggregate(std::vector<std::string>& notes) const {
    if (!has("nominal")) return std::nullopt;
    VariantAggregate a;
    a.variants.emplace_back("nominal");
    for (const auto& id : ordered_ids()) {
      if (id != "nominal") a.variants.push_back(id);
    }
    const auto keys = common_keys(a.variants, nullptr);
    std::vector<metrics::TaskScores> per_variant;
    for (const auto& id : a.variants) per_variant.push_back(scores(id, keys));
    metrics::TaskScores mean = per_variant.front();
    if (mean.episodes() == 0) {
      notes.push_back("variant aggregation: no episode was run (and counted) under every variant");
      return std::nullopt;
    }
    for (std::size_t i = 0; i < mean.values.size(); ++i) {
      double sum = 0.0;
      for (const auto& v : per_variant) sum += v.values[i];
      mean.values[i] = sum / static_cast<double>(per_variant.size());
    }
    a.episodes = static_cast<int>(mean.episodes());
    const std::size_t nominal = by_set_.at("nominal").size();
    if (static_cast<std::size_t>(a.episodes) < nominal) {
      notes.push_back("variant aggregation: over the " + std::to_string(a.episodes) + " of " +
                      std::to_string(nominal) +
                      " nominal episodes that every variant holds (counted, same seed)");
    }
    const metrics::BootstrapEstimate est = metrics::aggregate_interval(
        mean, metrics::AggregateSpec{}, bootstrap("#variant-aggregation"));
    a.rate = est.estimate;
    a.ci = est.interval;
    return a;
  }

  std::vector<std::string> ordered_ids() const {
    std::vector<std::string> ids;
    for (const auto& p : run_.header.perturbations) {
      if (has(p) && std::find(ids.begin(), ids.end(), p) == ids.end()) ids.push_back(p);
    }
    for (const auto& [id, e] : by_set_) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    return ids;
  }

 private:
  const RunResults& run_;
  RobustnessOptions options_;
  std::vector<std::string> tasks_;
  std::map<std::string, Episodes> by_set_;
};

}  // namespace

std::optional<PolicyRobustness> build_robustness(const RunResults& run, const std::string& policy,
                                                 const RobustnessOptions& options) {
  const Builder b(run, options);
  if (b.sets().size() == (b.has("nominal") ? 1u : 0u)) return std::nullopt;
  PolicyRobustness r;
  r.policy = policy;
  if (b.has("nominal")) {
    int successes = 0, trials = 0;
    for (const auto& [key, o] : b.sets().at("nominal")) {
      if (!o.counts) continue;
      ++trials;
      successes += static_cast<int>(o.success);
    }
    r.nominal = make_rate(successes, trials);
  } else {
    r.notes.push_back(
        "no nominal episodes: drops need the nominal episodes of the same seeds in the same file "
        "(run with --ood-sweep, or add nominal episodes with --perturb nominal)");
  }
  for (const auto& id : b.ordered_ids()) {
    if (id == "nominal") continue;
    PerturbationSet set;
    try {
      set = PerturbationSet::parse(id);
    } catch (const InputError&) {
      throw InputError("results of '" + policy + "': malformed perturbation id '" + id + "'");
    }
    if (set.items.size() > 1) {
      r.interactions.push_back(b.interaction(id, set, r.notes));
      continue;
    }
    const std::string& dim = set.items.front().first;
    const int level = set.items.front().second;
    auto it = std::find_if(r.dimensions.begin(), r.dimensions.end(),
                           [&](const DimensionRobustness& d) { return d.dimension == dim; });
    if (it == r.dimensions.end()) {
      r.dimensions.push_back(DimensionRobustness{dim, {}, std::nullopt, 0.0, 0.0});
      it = r.dimensions.end() - 1;
    }
    it->levels.push_back(LevelDrop{level, b.paired_drop(id, r.notes)});
  }
  r.aggregate = b.variant_aggregate(r.notes);
  double worst = -1.0;
  for (auto& d : r.dimensions) {
    std::sort(d.levels.begin(), d.levels.end(),
              [](const LevelDrop& a, const LevelDrop& c) { return a.level < c.level; });
    double sum = 0.0;
    int n = 0;
    for (const auto& l : d.levels) {
      if (l.drop.pairs == 0) continue;
      sum += l.drop.drop;
      ++n;
      if (!d.half_level && l.drop.nominal_rate > 0 &&
          l.drop.perturbed_rate < 0.5 * l.drop.nominal_rate) {
        d.half_level = l.level;
      }
    }
    d.mean_drop = n > 0 ? sum / n : std::nan("");
    d.max_level_drop = d.levels.empty() ? std::nan("") : d.levels.back().drop.drop;
    if (n > 0 && d.mean_drop > worst) {
      worst = d.mean_drop;
      r.most_damaging = d.dimension;
    }
  }
  return r;
}

}  // namespace gauntlet::reports
