#include "reports/wm_report_card.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "harness/errors.hpp"
#include "reports/html_page.hpp"
#include "reports/png.hpp"
#include "reports/svg.hpp"
#include "reports/writers.hpp"

namespace gauntlet::reports {
namespace {

std::string num(double v, int decimals = 3) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pct(double v) {
  return std::isnan(v) ? "n/a" : num(100.0 * v, 1) + "%";
}
std::string judge_cost_text(const WmJudgeCost& c) {
  std::string t = std::to_string(c.calls) + " calls judging " + std::to_string(c.frames) +
                  " frames (episode-steps), " + num(c.seconds, 2) + " s inside the judge";
  if (c.calls > 0 && c.frames > 0) {
    t += " (" + num(static_cast<double>(c.frames) / static_cast<double>(c.calls), 2) +
         " frames per call, " + num(1000.0 * c.seconds / static_cast<double>(c.calls), 2) +
         " ms per call, " + num(1000.0 * c.seconds / static_cast<double>(c.frames), 3) +
         " ms per frame)";
  }
  return t;
}

std::string pct_ci(const metrics::Interval& ci) {
  return "[" + num(100.0 * ci.lo, 1) + ", " + num(100.0 * ci.hi, 1) + "]";
}

std::string stat_text(const metrics::AgreementStatistic& s) {
  std::string t = num(s.value, 3);
  if (s.interval) t += " [" + num(s.interval->lo, 3) + ", " + num(s.interval->hi, 3) + "]";
  return t;
}

nlohmann::json interval_json(const std::optional<metrics::Interval>& i) {
  if (!i) return nullptr;
  return nlohmann::json::array({i->lo, i->hi});
}

nlohmann::json number_json(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

nlohmann::json statistic_json(const metrics::AgreementStatistic& s) {
  return {{"value", number_json(s.value)},
          {"p_value", number_json(s.p_value)},
          {"interval", interval_json(s.interval)}};
}

nlohmann::json binary_json(const metrics::BinaryAgreement& a) {
  const auto& c = a.counts;
  return {{"confusion",
           {{"true_positive", c.true_positive},
            {"false_positive", c.false_positive},
            {"false_negative", c.false_negative},
            {"true_negative", c.true_negative}}},
          {"accuracy", number_json(a.accuracy)},
          {"sensitivity", number_json(a.sensitivity)},
          {"sensitivity_ci", {a.sensitivity_ci.lo, a.sensitivity_ci.hi}},
          {"specificity", number_json(a.specificity)},
          {"specificity_ci", {a.specificity_ci.lo, a.specificity_ci.hi}},
          {"balanced_accuracy", number_json(a.balanced_accuracy)},
          {"self_correction_rate", number_json(a.self_correction)},
          {"self_correction_ci", {a.self_correction_ci.lo, a.self_correction_ci.hi}},
          {"cohen_kappa", number_json(a.cohen_kappa)}};
}

nlohmann::json agreement_json(const WmAgreement& a) {
  nlohmann::json j{{"label", a.label}, {"note", a.note}, {"episodes", a.episodes}};
  if (!a.result) {
    j["available"] = false;
    return j;
  }
  const auto& r = *a.result;
  j["available"] = true;
  j["policies"] = r.policies;
  j["world_model_scores"] = r.x_scores;
  j["simulator_scores"] = r.y_scores;
  j["spearman"] = statistic_json(r.spearman);
  j["kendall_tau_b"] = statistic_json(r.kendall);
  j["pearson"] = statistic_json(r.pearson);
  j["pearson_fisher_interval"] = {r.pearson_fisher_interval.lo, r.pearson_fisher_interval.hi};
  j["mmrv"] = statistic_json(r.mmrv);
  j["bootstrap_resamples"] = r.resamples;
  j["level"] = r.level;
  return j;
}

// A small line chart (x: horizon step) of one series with a +-sd band.
std::string drift_chart(const std::string& title, const std::vector<WmFidelityPoint>& curve,
                        bool psnr) {
  const int w = 460, h = 220, left = 48, right = 12, top = 24, bottom = 36;
  if (curve.empty()) return "";
  double lo = psnr ? 1e300 : 0.0, hi = psnr ? -1e300 : 1.0;
  for (const auto& p : curve) {
    const double m = psnr ? p.psnr_mean : p.ssim_mean;
    const double s = psnr ? p.psnr_sd : p.ssim_sd;
    if (psnr && std::isfinite(m)) {
      lo = std::min(lo, m - s);
      hi = std::max(hi, m + s);
      if (std::isfinite(p.copy_psnr_mean)) {
        lo = std::min(lo, p.copy_psnr_mean);
        hi = std::max(hi, p.copy_psnr_mean);
      }
    }
  }
  if (psnr) {
    lo = std::floor(std::max(0.0, lo) / 5.0) * 5.0;
    hi = std::ceil(hi / 5.0) * 5.0;
    if (hi <= lo) hi = lo + 5.0;
  }
  const double x_max = std::max(1, curve.back().step);
  const auto x = [&](double s) { return left + (w - left - right) * s / x_max; };
  const auto y = [&](double v) {
    return top + (h - top - bottom) * (1.0 - (std::clamp(v, lo, hi) - lo) / (hi - lo));
  };
  std::string band_up, band_down, line, baseline;
  for (const auto& p : curve) {
    const double m = psnr ? p.psnr_mean : p.ssim_mean;
    const double s = psnr ? p.psnr_sd : p.ssim_sd;
    const double c = psnr ? p.copy_psnr_mean : p.copy_ssim_mean;
    if (std::isfinite(c))
      baseline += (baseline.empty() ? "M" : "L") + num(x(p.step), 1) + "," + num(y(c), 1);
    if (!std::isfinite(m)) continue;
    line += (line.empty() ? "M" : "L") + num(x(p.step), 1) + "," + num(y(m), 1);
    band_up += (band_up.empty() ? "M" : "L") + num(x(p.step), 1) + "," + num(y(m + s), 1);
    band_down = "L" + num(x(p.step), 1) + "," + num(y(m - s), 1) + band_down;
  }
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) +
                    "\" height=\"" + std::to_string(h) + "\" role=\"img\" aria-label=\"" +
                    escape_xml(title) + "\">";
  svg += "<text x=\"" + std::to_string(left) + "\" y=\"16\" font-size=\"13\">" + escape_xml(title) +
         "</text>";
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4.0;
    svg += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(w - right) +
           "\" y1=\"" + num(y(v), 1) + "\" y2=\"" + num(y(v), 1) +
           "\" stroke=\"#eee\"/><text x=\"" + std::to_string(left - 4) + "\" y=\"" +
           num(y(v) + 4, 1) + "\" font-size=\"11\" text-anchor=\"end\">" + num(v, psnr ? 0 : 2) +
           "</text>";
  }
  svg += "<text x=\"" + num((left + w - right) / 2.0, 1) + "\" y=\"" + std::to_string(h - 6) +
         "\" font-size=\"11\" text-anchor=\"middle\">actions replayed (0 to " + num(x_max, 0) +
         ")</text>";
  if (!band_up.empty())
    svg += "<path d=\"" + band_up + band_down + "Z\" fill=\"#c6d8f0\" stroke=\"none\"/>";
  if (!baseline.empty()) {
    svg += "<path d=\"" + baseline +
           "\" fill=\"none\" stroke=\"#888\" stroke-width=\"1.5\" stroke-dasharray=\"4 "
           "3\"><title>baseline: the first real frame held still</title></path>";
  }
  if (!line.empty())
    svg += "<path d=\"" + line + "\" fill=\"none\" stroke=\"#2060b0\" stroke-width=\"2\"/>";
  return svg + "</svg>";
}

nlohmann::json judge_correction_json(const WmJudgeCorrection& jc) {
  const auto& r = jc.rates;
  const auto& c = r.counts;
  return {{"method",
           "Rogan-Gladen, clipped to [0, 1]; exact interval over the Bonferroni box of "
           "Clopper-Pearson intervals (docs/worldmodel.md)"},
          {"true_positive", c.true_positive},
          {"false_negative", c.false_negative},
          {"true_negative", c.true_negative},
          {"false_positive", c.false_positive},
          {"sensitivity", number_json(r.sensitivity)},
          {"sensitivity_ci", {r.sensitivity_ci.lo, r.sensitivity_ci.hi}},
          {"specificity", number_json(r.specificity)},
          {"specificity_ci", {r.specificity_ci.lo, r.specificity_ci.hi}},
          {"youden", number_json(r.youden)},
          {"level", r.level},
          {"informative", jc.informative},
          {"min_spearman", jc.min_spearman},
          {"spearman_lower",
           jc.spearman_lower ? nlohmann::json(*jc.spearman_lower) : nlohmann::json(nullptr)},
          {"rankable", jc.rankable},
          {"rankable_note", jc.rankable_note}};
}

}  // namespace

std::string wm_policy_inputs(const WmPolicyRow& p) {
  if (p.acted_on_generated_frames)
    return p.shadowed ? "generated frames + shadow state" : "generated frames";
  return p.shadowed ? "shadow state" : "no camera";
}

std::string wm_report_card_json(const WmReportCard& c) {
  nlohmann::json j;
  j["format"] = "gauntlet-wm-report-card";
  j["version"] = 1;
  j["suite"] = c.suite;
  j["seed"] = c.seed;
  j["episodes_per_task"] = c.episodes_per_task;
  j["tasks"] = c.tasks;
  j["world_models"] = c.world_models;
  j["world_model_identities"] = c.world_model_identities;
  j["judge"] = c.judge;
  j["judge_identity"] = c.judge_identity;
  j["judge_every"] = c.judge_every;
  j["threshold"] = c.threshold;
  j["shadow_note"] = c.shadow_note;
  nlohmann::json policies = nlohmann::json::array();
  for (const auto& p : c.policies) {
    policies.push_back(
        {{"policy", p.name},
         {"episodes", p.episodes},
         {"simulator_successes", p.sim_successes},
         {"world_model_successes", p.wm_successes},
         {"simulator_success_rate",
          p.episodes ? static_cast<double>(p.sim_successes) / p.episodes : 0.0},
         {"world_model_success_rate",
          p.episodes ? static_cast<double>(p.wm_successes) / p.episodes : 0.0},
         {"simulator_ci95", {p.sim_ci.lo, p.sim_ci.hi}},
         {"world_model_ci95", {p.wm_ci.lo, p.wm_ci.hi}},
         {"per_episode", binary_json(p.agreement)},
         {"simulator_episodes_per_s", p.sim_episodes_per_s},
         {"world_model_episodes_per_s", p.wm_episodes_per_s},
         {"world_model_errors", p.wm_errors},
         {"world_model_corrected_rate", number_json(p.wm_corrected.rate)},
         {"world_model_corrected_ci95", {p.wm_corrected.ci.lo, p.wm_corrected.ci.hi}},
         {"acted_on_generated_frames", p.acted_on_generated_frames},
         {"shadow_simulation", p.shadowed},
         {"inputs", wm_policy_inputs(p)}});
  }
  j["policies"] = policies;
  j["per_episode"] = binary_json(c.overall);
  j["judge_correction"] = judge_correction_json(c.judge_correction);
  {
    const auto& jc = c.judge_cost;
    const auto per = [](double a, std::int64_t b) -> nlohmann::json {
      if (b <= 0) return nullptr;
      return a / static_cast<double>(b);
    };
    j["judge_cost"] = {{"calls", jc.calls},
                       {"episodes_judged", jc.frames},
                       {"frames_judged", jc.frames},
                       {"frames_per_call", per(static_cast<double>(jc.frames), jc.calls)},
                       {"ms_per_call", per(1000.0 * jc.seconds, jc.calls)},
                       {"ms_per_frame", per(1000.0 * jc.seconds, jc.frames)},
                       {"seconds", jc.seconds}};
  }
  nlohmann::json agreements = nlohmann::json::array();
  for (const auto& a : c.agreements) agreements.push_back(agreement_json(a));
  j["ranking_agreement"] = agreements;
  nlohmann::json unc = nlohmann::json::array();
  for (const auto& u : c.uncertainty) {
    unc.push_back({{"discard_fraction", u.discard_fraction},
                   {"kept", u.kept},
                   {"accuracy_kept", number_json(u.accuracy_kept)},
                   {"accuracy_discarded", number_json(u.accuracy_discarded)}});
  }
  j["uncertainty"] = {{"rows", unc}, {"note", c.uncertainty_note}};
  nlohmann::json curve = nlohmann::json::array();
  for (const auto& p : c.fidelity.curve) {
    curve.push_back({{"step", p.step},
                     {"episodes", p.episodes},
                     {"psnr_mean", number_json(p.psnr_mean)},
                     {"psnr_sd", number_json(p.psnr_sd)},
                     {"ssim_mean", number_json(p.ssim_mean)},
                     {"ssim_sd", number_json(p.ssim_sd)},
                     {"copy_first_frame_psnr", number_json(p.copy_psnr_mean)},
                     {"copy_first_frame_ssim", number_json(p.copy_ssim_mean)}});
  }
  j["open_loop_fidelity"] = {{"source", c.fidelity.source},
                             {"episodes", c.fidelity.episodes},
                             {"horizon", c.fidelity.horizon},
                             {"ssim_window", c.fidelity.ssim_window},
                             {"curve", curve},
                             {"frechet_distance", c.fidelity.frechet_distance
                                                      ? nlohmann::json(*c.fidelity.frechet_distance)
                                                      : nlohmann::json(nullptr)},
                             {"feature_extractor", c.fidelity.feature_extractor},
                             {"note", c.fidelity.note}};
  j["cost"] = {{"simulator_episodes_per_s", c.sim_episodes_per_s},
               {"world_model_episodes_per_s", c.wm_episodes_per_s}};
  j["warnings"] = c.warnings;
  j["generated_at"] = c.generated_at;
  j["command"] = c.command;
  j["harness_version"] = c.harness_version;
  return j.dump(2) + "\n";
}

namespace {

std::string judge_correction_markdown(const WmReportCard& c) {
  const auto& jc = c.judge_correction;
  const auto& r = jc.rates;
  std::string m = "## Judge error rates and corrected rates\n\n";
  m += std::string(jc.rankable ? "**Rankable**" : "**NOT RANKABLE**") + ": " +
       escape_markdown(jc.rankable_note) + "\n\n";
  m += "Over all " + std::to_string(r.counts.total()) +
       " paired episodes (the simulator is the truth): sensitivity " + pct(r.sensitivity) + " " +
       pct_ci(r.sensitivity_ci) + ", specificity " + pct(r.specificity) + " " +
       pct_ci(r.specificity_ci) + " (Clopper-Pearson 95%), Youden J " + num(r.youden, 3) +
       ". A run whose `--env` names this card (`worldmodel:...,card=report-card.json`) reports "
       "Rogan-Gladen corrected rates with intervals that carry the card's uncertainty";
  m += jc.informative ? ".\n\n"
                      : "; this card cannot exclude an uninformative judge (se + sp <= 1), so "
                        "corrected intervals are [0, 1].\n\n";
  m += "| Policy | Simulator | World model (judged) | World model corrected | 95% CI (corrected) | "
       "Acted on |\n|---|---:|---:|---:|---|---|\n";
  for (const auto& p : c.policies) {
    const double s = p.episodes ? static_cast<double>(p.sim_successes) / p.episodes : 0.0;
    m += "| " + escape_markdown(p.name) + " | " + pct(s) + " | " + pct(p.wm_corrected.apparent) +
         " | " + pct(p.wm_corrected.rate) + " | " + pct_ci(p.wm_corrected.ci) + " | " +
         wm_policy_inputs(p) + " |\n";
  }
  m += "\nJudge cost (the world-model runs of this invocation; resumed episodes are not "
       "counted; one call per step judges every worker's live episode): " +
       judge_cost_text(c.judge_cost) + ".\n\n";
  return m;
}

}  // namespace

std::string wm_report_card_markdown(const WmReportCard& c) {
  std::string m = "# World-model report card: " + escape_markdown(c.suite) + "\n\n";
  m +=
      "World model `" + escape_markdown(c.world_models.empty() ? "" : c.world_models.front()) + "`";
  if (c.world_models.size() > 1)
    m += " (ensemble of " + std::to_string(c.world_models.size()) + ")";
  m += ", judge `" + escape_markdown(c.judge) + "` (every " +
       (c.judge_every == 0 ? std::string("episode's last step")
                           : std::to_string(c.judge_every) + " step(s)") +
       ", success at probability >= " + num(c.threshold, 2) + "). Seed " + std::to_string(c.seed) +
       ", " + std::to_string(c.episodes_per_task) +
       " episodes per task, tasks: " + escape_markdown(join_names(c.tasks)) +
       ". The simulator is the reference.\n\n";
  if (!c.shadow_note.empty()) m += escape_markdown(c.shadow_note) + "\n\n";
  for (const auto& w : c.warnings) m += "> **Warning:** " + escape_markdown(w) + "\n\n";

  m += judge_correction_markdown(c);
  m += "## Ranking agreement\n\n| Evaluation | Episodes | Spearman | Kendall tau-b | Pearson | "
       "MMRV |\n|---|---:|---|---|---|---|\n";
  for (const auto& a : c.agreements) {
    if (!a.result) {
      m += "| " + escape_markdown(a.label) + " | " + std::to_string(a.episodes) +
           " | n/a | n/a | n/a | n/a |\n";
      continue;
    }
    m += "| " + escape_markdown(a.label) + " | " + std::to_string(a.episodes) + " | " +
         stat_text(a.result->spearman) + " | " + stat_text(a.result->kendall) + " | " +
         stat_text(a.result->pearson) + " | " + stat_text(a.result->mmrv) + " |\n";
  }
  m += "\nPolicy scores are task-mean success rates; intervals are 95% percentile bootstraps over "
       "episodes (";
  m += c.agreements.empty() || !c.agreements.front().result
           ? std::string("n/a")
           : std::to_string(c.agreements.front().result->resamples);
  m += " resamples, metrics::agreement). MMRV: mean maximum rank violation in simulator success "
       "units (0 is perfect).\n";
  for (const auto& a : c.agreements) {
    if (!a.note.empty())
      m += "- " + escape_markdown(a.label) + ": " + escape_markdown(a.note) + "\n";
  }

  m += "\n## Per policy\n\n| Policy | Episodes | Simulator | 95% CI | World model | 95% CI | TP | "
       "FP | FN | TN | Balanced acc. | "
       "Self-correction | Sim ep/s | WM ep/s "
       "|\n|---|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& p : c.policies) {
    const auto& k = p.agreement.counts;
    const double s = p.episodes ? static_cast<double>(p.sim_successes) / p.episodes : 0.0;
    const double w = p.episodes ? static_cast<double>(p.wm_successes) / p.episodes : 0.0;
    m += "| " + escape_markdown(p.name) + " | " + std::to_string(p.episodes) + " | " + pct(s) +
         " | " + pct_ci(p.sim_ci) + " | " + pct(w) + " | " + pct_ci(p.wm_ci) + " | " +
         std::to_string(k.true_positive) + " | " + std::to_string(k.false_positive) + " | " +
         std::to_string(k.false_negative) + " | " + std::to_string(k.true_negative) + " | " +
         pct(p.agreement.balanced_accuracy) + " | " + pct(p.agreement.self_correction) + " | " +
         num(p.sim_episodes_per_s, 2) + " | " + num(p.wm_episodes_per_s, 2) + " |\n";
  }
  const auto& o = c.overall;
  m += "\nAll episodes: TP " + std::to_string(o.counts.true_positive) + ", FP " +
       std::to_string(o.counts.false_positive) + ", FN " + std::to_string(o.counts.false_negative) +
       ", TN " + std::to_string(o.counts.true_negative) + "; accuracy " + pct(o.accuracy) +
       ", balanced accuracy " + pct(o.balanced_accuracy) + ", sensitivity " + pct(o.sensitivity) +
       " " + pct_ci(o.sensitivity_ci) + ", specificity " + pct(o.specificity) + " " +
       pct_ci(o.specificity_ci) + ", Cohen's kappa " + num(o.cohen_kappa, 3) + ".\n\n";
  m += "Self-correction (a failed simulator episode judged a success in the world model): " +
       pct(o.self_correction) + " " + pct_ci(o.self_correction_ci) + " (Wilson 95%).\n";

  m += "\n## Uncertainty (ensemble)\n\n";
  if (c.uncertainty.empty()) {
    m += escape_markdown(c.uncertainty_note.empty() ? "No ensemble given (pass --wm several times)."
                                                    : c.uncertainty_note) +
         "\n";
  } else {
    m += escape_markdown(c.uncertainty_note) +
         "\n\n| Discarded | Kept episodes | Accuracy kept | Accuracy discarded "
         "|\n|---:|---:|---:|---:|\n";
    for (const auto& u : c.uncertainty) {
      m += "| " + pct(u.discard_fraction) + " | " + std::to_string(u.kept) + " | " +
           pct(u.accuracy_kept) + " | " + pct(u.accuracy_discarded) + " |\n";
    }
  }

  const auto& f = c.fidelity;
  m += "\n## Open-loop fidelity\n\n" + escape_markdown(f.source) + ": " +
       std::to_string(f.episodes) + " episodes, recorded actions replayed for up to " +
       std::to_string(f.horizon) + " steps. SSIM: " + escape_markdown(f.ssim_window) + ".\n\n";
  if (!f.note.empty()) m += escape_markdown(f.note) + "\n\n";
  if (!f.curve.empty()) {
    m += "Steps 1, 2, 4, 8, ... and the last (every step is in report-card.json). Baseline: the "
         "first real frame "
         "held still (a model that predicts no motion).\n\n"
         "| Step | Episodes | PSNR (dB) | SSIM | baseline PSNR | baseline SSIM "
         "|\n|---:|---:|---|---|---:|---:|\n";
    for (std::size_t i = 0; i < f.curve.size(); ++i) {
      const auto& p = f.curve[i];
      const bool power_of_two = (p.step & (p.step - 1)) == 0;
      if (!power_of_two && i + 1 != f.curve.size()) continue;
      m += "| " + std::to_string(p.step) + " | " + std::to_string(p.episodes) + " | " +
           num(p.psnr_mean, 2) + " +- " + num(p.psnr_sd, 2) + " | " + num(p.ssim_mean, 3) + " +- " +
           num(p.ssim_sd, 3) + " | " + num(p.copy_psnr_mean, 2) + " | " + num(p.copy_ssim_mean, 3) +
           " |\n";
    }
  }
  if (f.frechet_distance) {
    m += "\nFrechet distance of " + escape_markdown(f.feature_extractor) +
         " features (FVD-style): " + num(*f.frechet_distance, 3) + "\n";
  }
  m += "\n## Cost\n\nSimulator " + num(c.sim_episodes_per_s, 2) + " episodes/s, world model " +
       num(c.wm_episodes_per_s, 2) +
       " episodes/s per worker (each episode's wall time, policy included; a busy machine makes "
       "these noisy).\n";
  m += "\n---\n" + escape_markdown(c.harness_version) + ", " + escape_markdown(c.generated_at) +
       ": `" + escape_markdown(c.command) + "`\n";
  return m;
}

std::string wm_report_card_html(const WmReportCard& c) {
  std::string b =
      "<h1>World-model report card: " + escape_xml(c.suite) +
      "</h1>\n<p class=\"note\">World model <code>" +
      escape_xml(c.world_models.empty() ? "" : c.world_models.front()) + "</code>" +
      (c.world_models.size() > 1 ? " (ensemble of " + std::to_string(c.world_models.size()) + ")"
                                 : "") +
      ", judge <code>" + escape_xml(c.judge) + "</code>, seed " + std::to_string(c.seed) + ", " +
      std::to_string(c.episodes_per_task) +
      " episodes per task. The simulator is the reference.</p>\n";
  if (!c.shadow_note.empty()) b += "<p class=\"note\">" + escape_xml(c.shadow_note) + "</p>\n";
  for (const auto& w : c.warnings) b += "<p class=\"warning\">" + escape_xml(w) + "</p>\n";
  b += "<nav><a href=\"#agreement\">Ranking agreement</a><a href=\"#policies\">Per policy</a><a "
       "href=\"#uncertainty\">"
       "Uncertainty</a><a href=\"#fidelity\">Open-loop fidelity</a><a "
       "href=\"#strips\">Strips</a><a href=\"#cost\">Cost</a></nav>\n";

  {
    const auto& jc = c.judge_correction;
    const auto& r = jc.rates;
    b +=
        "<section id=\"correction\"><h2>Judge error rates and corrected rates</h2>\n<p class=\"" +
        std::string(jc.rankable ? "note" : "warning") + "\"><b>" +
        (jc.rankable ? "Rankable" : "NOT RANKABLE") + "</b>: " + escape_xml(jc.rankable_note) +
        "</p>\n<p>Sensitivity " + pct(r.sensitivity) + " " + pct_ci(r.sensitivity_ci) +
        ", specificity " + pct(r.specificity) + " " + pct_ci(r.specificity_ci) +
        " (Clopper-Pearson 95%) over " + std::to_string(r.counts.total()) +
        " paired episodes. Corrected: Rogan-Gladen with an exact interval that carries this "
        "card's uncertainty (what a run with <code>card=</code> "
        "reports).</p>\n<table><tr><th>Policy</th>"
        "<th>Simulator</th><th>World model (judged)</th><th>Corrected</th><th>95% CI</th><th>Acted "
        "on</th></tr>\n";
    for (const auto& p : c.policies) {
      const double s = p.episodes ? static_cast<double>(p.sim_successes) / p.episodes : 0.0;
      b += "<tr><td>" + escape_xml(p.name) + "</td><td>" + pct(s) + "</td><td>" +
           pct(p.wm_corrected.apparent) + "</td><td>" + pct(p.wm_corrected.rate) + "</td><td>" +
           pct_ci(p.wm_corrected.ci) + "</td><td>" + escape_xml(wm_policy_inputs(p)) +
           "</td></tr>\n";
    }
    b += "</table>\n<p class=\"note\">Judge cost (one call per step for every worker's live "
         "episode): " +
         escape_xml(judge_cost_text(c.judge_cost)) + ".</p></section>\n";
  }
  b += "<section id=\"agreement\"><h2>Ranking "
       "agreement</h2>\n<table><thead><tr><th>Evaluation</th><th>Episodes</th>"
       "<th>Spearman</th><th>Kendall tau-b</th><th>Pearson</th><th>MMRV</th></tr></thead><tbody>\n";
  for (const auto& a : c.agreements) {
    b += "<tr><td class=\"name\">" + escape_xml(a.label) + "</td><td>" +
         std::to_string(a.episodes) + "</td>";
    if (a.result) {
      b += "<td>" + escape_xml(stat_text(a.result->spearman)) + "</td><td>" +
           escape_xml(stat_text(a.result->kendall)) + "</td><td>" +
           escape_xml(stat_text(a.result->pearson)) + "</td><td>" +
           escape_xml(stat_text(a.result->mmrv)) + "</td></tr>\n";
    } else {
      b += "<td>n/a</td><td>n/a</td><td>n/a</td><td>n/a</td></tr>\n";
    }
  }
  b += "</tbody></table>\n";
  if (!c.agreements.empty() && c.agreements.front().result) {
    const auto& r = *c.agreements.front().result;
    std::vector<ForestRow> rows;
    for (std::size_t i = 0; i < r.policies.size(); ++i) {
      rows.push_back({r.policies[i] + " (simulator)", r.y_scores[i], r.y_scores[i], r.y_scores[i],
                      pct(r.y_scores[i])});
      rows.push_back({r.policies[i] + " (world model)", r.x_scores[i], r.x_scores[i], r.x_scores[i],
                      pct(r.x_scores[i])});
    }
    b += "<div class=\"chart\">" +
         forest_plot_svg("Task-mean success: simulator vs world model", rows) + "</div>\n";
  }
  b += "<p class=\"note\">Intervals: 95% percentile bootstrap over episodes (metrics::agreement). "
       "MMRV is the mean "
       "maximum rank violation in simulator success units (0 is perfect).</p>\n";
  for (const auto& a : c.agreements) {
    if (!a.note.empty())
      b += "<p class=\"note\">" + escape_xml(a.label) + ": " + escape_xml(a.note) + "</p>\n";
  }
  b += "</section>\n";

  b += "<section id=\"policies\"><h2>Per policy (per-episode agreement)</h2>\n<table "
       "class=\"sortable\"><thead><tr>"
       "<th data-type=\"text\">Policy</th><th data-type=\"num\">Episodes</th><th "
       "data-type=\"num\">Simulator</th>"
       "<th data-type=\"num\">World model</th><th data-type=\"num\">TP</th><th "
       "data-type=\"num\">FP</th>"
       "<th data-type=\"num\">FN</th><th data-type=\"num\">TN</th><th data-type=\"num\">Balanced "
       "acc.</th>"
       "<th data-type=\"num\">Self-correction</th><th data-type=\"num\">Sim ep/s</th><th "
       "data-type=\"num\">WM ep/s</th>"
       "</tr></thead><tbody>\n";
  for (const auto& p : c.policies) {
    const auto& k = p.agreement.counts;
    const double s = p.episodes ? static_cast<double>(p.sim_successes) / p.episodes : 0.0;
    const double w = p.episodes ? static_cast<double>(p.wm_successes) / p.episodes : 0.0;
    b += "<tr><td class=\"name\">" + escape_xml(p.name) + "</td><td>" + std::to_string(p.episodes) +
         "</td><td data-sort=\"" + num(s, 4) + "\">" + pct(s) + " " + pct_ci(p.sim_ci) +
         "</td><td data-sort=\"" + num(w, 4) + "\">" + pct(w) + " " + pct_ci(p.wm_ci) +
         "</td><td>" + std::to_string(k.true_positive) + "</td><td>" +
         std::to_string(k.false_positive) + "</td><td>" + std::to_string(k.false_negative) +
         "</td><td>" + std::to_string(k.true_negative) + "</td><td>" +
         pct(p.agreement.balanced_accuracy) + "</td><td>" + pct(p.agreement.self_correction) +
         "</td><td>" + num(p.sim_episodes_per_s, 2) + "</td><td>" + num(p.wm_episodes_per_s, 2) +
         "</td></tr>\n";
  }
  const auto& o = c.overall;
  b += "</tbody></table>\n<p class=\"note\">All episodes: accuracy " + pct(o.accuracy) +
       ", balanced accuracy " + pct(o.balanced_accuracy) + ", sensitivity " + pct(o.sensitivity) +
       " " + pct_ci(o.sensitivity_ci) + ", specificity " + pct(o.specificity) + " " +
       pct_ci(o.specificity_ci) + ", Cohen's kappa " + num(o.cohen_kappa, 3) +
       "; self-correction (failed simulator episode judged a success in the world model) " +
       pct(o.self_correction) + " " + pct_ci(o.self_correction_ci) + ".</p></section>\n";

  b += "<section id=\"uncertainty\"><h2>Uncertainty (ensemble)</h2>\n<p class=\"note\">" +
       escape_xml(c.uncertainty_note) + "</p>\n";
  if (!c.uncertainty.empty()) {
    b += "<table><thead><tr><th>Discarded</th><th>Kept episodes</th><th>Accuracy "
         "kept</th><th>Accuracy discarded</th>"
         "</tr></thead><tbody>\n";
    for (const auto& u : c.uncertainty) {
      b += "<tr><td>" + pct(u.discard_fraction) + "</td><td>" + std::to_string(u.kept) +
           "</td><td>" + pct(u.accuracy_kept) + "</td><td>" + pct(u.accuracy_discarded) +
           "</td></tr>\n";
    }
    b += "</tbody></table>\n";
  }
  b += "</section>\n";

  const auto& f = c.fidelity;
  b += "<section id=\"fidelity\"><h2>Open-loop fidelity</h2>\n<p class=\"note\">" +
       escape_xml(f.source) + ": " + std::to_string(f.episodes) +
       " episodes, recorded actions replayed for up to " + std::to_string(f.horizon) +
       " steps; mean +- one standard deviation over episodes (dashed: the first real frame held "
       "still, a model that predicts no motion). SSIM: " +
       escape_xml(f.ssim_window) + ". " + escape_xml(f.note) + "</p>\n<div class=\"multiples\">" +
       drift_chart("PSNR (dB) per step", f.curve, true) +
       drift_chart("SSIM per step", f.curve, false) + "</div>\n";
  if (f.frechet_distance) {
    b += "<p>Frechet distance of <code>" + escape_xml(f.feature_extractor) +
         "</code> features (FVD-style): " + num(*f.frechet_distance, 3) + "</p>\n";
  }
  b += "</section>\n<section id=\"strips\"><h2>Simulator and world model, same actions</h2>\n"
       "<p class=\"note\">Each strip: the simulator's frames (top row) and the world model's "
       "frames for the same "
       "recorded actions (bottom row), from the same first frame.</p>\n";
  for (const auto& s : c.strips) {
    b += "<figure class=\"preview\"><img alt=\"" + escape_xml(s.caption) +
         "\" src=\"data:image/png;base64," + base64_encode(encode_png(s.image)) +
         "\"><figcaption>" + escape_xml(s.caption) + "</figcaption></figure>\n";
  }
  b += "</section>\n<section id=\"cost\"><h2>Cost</h2>\n<p>Simulator " +
       num(c.sim_episodes_per_s, 2) + " episodes/s; world model " + num(c.wm_episodes_per_s, 2) +
       " episodes/s per worker (each episode's wall time, policy included; noisy on a busy "
       "machine).</p></section>\n";
  b += "<footer>" + escape_xml(c.harness_version) + ", " + escape_xml(c.generated_at) +
       "<br><code>" + escape_xml(c.command) + "</code></footer>\n";
  return html_page("World-model report card: " + c.suite, b);
}

void write_wm_report_card(const WmReportCard& card, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  write_text_file(dir / "report-card.json", wm_report_card_json(card));
  write_text_file(dir / "report-card.md", wm_report_card_markdown(card));
  write_text_file(dir / "report-card.html", wm_report_card_html(card));
}

}  // namespace gauntlet::reports
