#include "reports/success_rate.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "harness/errors.hpp"
#include "metrics/judge_correction.hpp"

namespace gauntlet::reports {

Rate make_rate(int successes, int trials) {
  Rate r;
  r.trials = trials;
  r.successes = successes;
  r.rate = trials > 0 ? static_cast<double>(successes) / trials : 0.0;
  r.ci95 = metrics::wilson_interval(successes, trials, 0.95);
  r.judged_rate = r.rate;
  r.judged_ci95 = r.ci95;
  return r;
}

Rate make_rate(int successes, int trials, const metrics::ConfusionMatrix* card) {
  Rate r = make_rate(successes, trials);
  if (!card) return r;
  const metrics::CorrectedRate c = metrics::corrected_rate(successes, trials, *card, 0.95);
  r.corrected = true;
  r.informative = c.informative;
  r.rate = trials > 0 ? c.rate : 0.0;
  r.ci95 = trials > 0 ? c.ci : metrics::Interval{0.0, 1.0};
  return r;
}

std::optional<JudgeCardInfo> judge_card_info(const RunHeader& header, const std::string& source) {
  if (header.judge_card.empty()) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(header.judge_card);
    JudgeCardInfo c;
    c.card = j.at("card").get<std::string>();
    c.sha256 = j.at("sha256").get<std::string>();
    c.counts.true_positive = j.at("true_positive").get<std::int64_t>();
    c.counts.false_negative = j.at("false_negative").get<std::int64_t>();
    c.counts.true_negative = j.at("true_negative").get<std::int64_t>();
    c.counts.false_positive = j.at("false_positive").get<std::int64_t>();
    c.rankable = j.at("rankable").get<bool>();
    c.rankable_note = j.value("rankable_note", "");
    const auto& k = c.counts;
    if (k.true_positive < 0 || k.false_negative < 0 || k.true_negative < 0 ||
        k.false_positive < 0) {
      throw InputError(source + ": attribute 'judge_card' has negative counts");
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": attribute 'judge_card' is not a judge card (" + e.what() + ")");
  }
}

std::string correction_note(const JudgeCardInfo& card) {
  const auto e = metrics::judge_error_rates(card.counts);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "success rates are CORRECTED for the world-model judge's error rates measured by "
                "card %s (sensitivity %.1f%% [%.1f, %.1f], specificity %.1f%% [%.1f, %.1f], "
                "Clopper-Pearson 95%%): Rogan-Gladen estimates with exact intervals that carry "
                "both the episodes' and the card's uncertainty",
                card.card.c_str(), 100 * e.sensitivity, 100 * e.sensitivity_ci.lo,
                100 * e.sensitivity_ci.hi, 100 * e.specificity, 100 * e.specificity_ci.lo,
                100 * e.specificity_ci.hi);
  std::string note = buf;
  if (!card.rankable)
    note += "; the card says this world model is NOT RANKABLE: " + card.rankable_note;
  return note;
}

}  // namespace gauntlet::reports
