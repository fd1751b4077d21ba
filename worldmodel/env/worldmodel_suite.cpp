#include "worldmodel/env/worldmodel_suite.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/errors.hpp"
#include "harness/sha256.hpp"
#include "worldmodel/env/worldmodel_env.hpp"

namespace gauntlet::worldmodel {
namespace {

// A model or judge spec from the --env text: FILE.pt, torchscript:FILE or python:MOD:CLASS.
PolicySpec component_spec(const std::string& text, const std::string& env_text, const char* what) {
  if (text.empty()) {
    throw InputError("environment '" + env_text + "': no " + what +
                     " given (FILE.pt, torchscript:FILE.pt or python:pkg.module:Class)");
  }
  PolicySpec s;
  s.text = text;
  s.noun = what;
  if (text.rfind("python:", 0) == 0) {
    s.kind = "python";
    s.arg = text.substr(7);
  } else if (text.rfind("torchscript:", 0) == 0) {
    s.kind = "torchscript";
    s.arg = text.substr(12);
  } else {
    s.kind = "torchscript";
    s.arg = text;
  }
  if (s.arg.empty())
    throw InputError("environment '" + env_text + "': empty " + what + " after '" + s.kind + ":'");
  return s;
}

}  // namespace

std::string judge_card_summary(const std::string& path, const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "gauntlet-wm-report-card") {
      throw InputError("card '" + path +
                       "': not a world-model report card (expected format "
                       "gauntlet-wm-report-card, written by gauntlet wm validate)");
    }
    if (!j.contains("judge_correction")) {
      throw InputError("card '" + path +
                       "': no judge_correction section (written by an older gauntlet: run gauntlet "
                       "wm validate again)");
    }
    const auto& c = j.at("judge_correction");
    nlohmann::json out;
    out["card"] = path;
    out["sha256"] = sha256_hex(text);
    for (const char* k : {"true_positive", "false_negative", "true_negative", "false_positive"}) {
      const auto v = c.at(k).get<std::int64_t>();
      if (v < 0) throw InputError("card '" + path + "': judge_correction." + k + " is negative");
      out[k] = v;
    }
    out["rankable"] = c.at("rankable").get<bool>();
    out["rankable_note"] = c.value("rankable_note", "");
    out["min_spearman"] = c.value("min_spearman", 0.5);
    out["spearman_lower"] = c.contains("spearman_lower") ? c.at("spearman_lower") : nullptr;
    out["world_model_identity"] = j.at("world_model_identities").at(0).get<std::string>();
    out["judge_identity"] = j.at("judge_identity").get<std::string>();
    out["judge_every"] = j.at("judge_every").get<int>();
    out["threshold"] = j.at("threshold").get<double>();
    return out.dump();
  } catch (const nlohmann::json::exception& e) {
    throw InputError("card '" + path + "': not a readable report card (" + e.what() + ")");
  }
}

double resolved_threshold(const WorldModelEnvOptions& options, const Judge& judge) {
  if (options.threshold_set) return options.threshold;
  const double t = judge.info().threshold;
  return t > 0.0 && t <= 1.0 ? t : 0.5;
}

namespace {

class WorldModelSuite final : public Suite {
 public:
  WorldModelSuite(std::shared_ptr<const Suite> inner, std::shared_ptr<WorldModel> model,
                  std::shared_ptr<Judge> judge, WorldModelEnvOptions options)
      : inner_(std::move(inner)),
        model_(std::move(model)),
        judge_(std::move(judge)),
        options_(std::move(options)),
        batch_(std::make_shared<JudgeBatch>(judge_)) {
    const WorldModelInfo& wm = model_->info();
    const SuiteInfo& in = inner_->info();
    options_.threshold = resolved_threshold(options_, *judge_);
    const auto& cams = in.cameras;
    if (std::find(cams.begin(), cams.end(), wm.camera) == cams.end()) {
      throw InputError("environment '" + options_.text + "': the world model generates camera '" +
                       wm.camera + "' but suite '" + in.name + "' has: " + join_names(cams));
    }
    if (judge_->info().camera != wm.camera) {
      throw InputError("environment '" + options_.text + "': the judge looks at camera '" +
                       judge_->info().camera + "' but the world model generates '" + wm.camera +
                       "'");
    }
    if (wm.action_dim != inner_->action_space().dim) {
      throw InputError("environment '" + options_.text + "': the world model takes " +
                       std::to_string(wm.action_dim) + "-D actions, suite '" + in.name + "' has " +
                       std::to_string(inner_->action_space().dim));
    }
    if (wm.proprio_dim > 0 && wm.proprio_dim != static_cast<int>(in.proprio_names.size())) {
      throw InputError("environment '" + options_.text + "': the world model takes " +
                       std::to_string(wm.proprio_dim) + " proprioception values, suite '" +
                       in.name + "' has " + std::to_string(in.proprio_names.size()));
    }
    std::string card_hash;
    if (!options_.card.empty()) {
      const std::string summary = judge_card_summary(options_.card, options_.card_text);
      const auto j = nlohmann::json::parse(summary);
      const auto mismatch = [&](const std::string& what, const std::string& card_value,
                                const std::string& run_value) {
        throw InputError("environment '" + options_.text + "': card '" + options_.card +
                         "' was measured with " + what + " " + card_value + ", this run uses " +
                         run_value +
                         ": a card corrects only the evaluator it validated (run gauntlet wm "
                         "validate with this world model and judge)");
      };
      if (j["world_model_identity"] != model_->identity())
        mismatch("world model", j["world_model_identity"].get<std::string>(), model_->identity());
      if (j["judge_identity"] != judge_->identity())
        mismatch("judge", j["judge_identity"].get<std::string>(), judge_->identity());
      if (j["judge_every"].get<int>() != options_.judge_every)
        mismatch("judge_every", std::to_string(j["judge_every"].get<int>()),
                 std::to_string(options_.judge_every));
      if (std::fabs(j["threshold"].get<double>() - options_.threshold) > 1e-9)
        mismatch("threshold", std::to_string(j["threshold"].get<double>()),
                 std::to_string(options_.threshold));
      judge_card_ = summary;
      card_hash = j["sha256"].get<std::string>();
    }
    info_ = in;
    info_.name = in.name + "@worldmodel";
    info_.judge_card = judge_card_;
    info_.backend = "worldmodel";
    info_.source = in.source + " + " + options_.text;
    info_.description = in.description + " (rolled out in world model " + options_.model.text +
                        ", judged by " + options_.judge.text + ")";
    info_.cameras = {wm.camera};
    info_.image_width = wm.width;
    info_.image_height = wm.height;
    char threshold[32];
    std::snprintf(threshold, sizeof threshold, "%.6g", options_.threshold);
    // Results of other models, judges or judging rules never mix with these,
    // nor with the simulator's (resume, merge, report and compare check it).
    info_.content_hash = sha256_hex(
        "gauntlet-worldmodel-suite-v1|suite=" + in.content_hash + "|model=" + model_->identity() +
        "|judge=" + judge_->identity() + "|judge_every=" + std::to_string(options_.judge_every) +
        "|threshold=" + threshold + (card_hash.empty() ? std::string() : "|card=" + card_hash));
  }

  const SuiteInfo& info() const override { return info_; }
  const std::vector<TaskInfo>& tasks() const override { return inner_->tasks(); }
  const ActionSpace& action_space() const override { return inner_->action_space(); }
  std::unique_ptr<Expert> make_expert(int task_index) const override {
    return inner_->make_expert(task_index);
  }
  std::string instruction(const EpisodeSpec& spec) const override {
    return inner_->instruction(spec);
  }

  std::unique_ptr<Env> make_env(const ObservationRequest& request) const override {
    const WorldModelInfo& wm = model_->info();
    for (const auto& cam : request.cameras) {
      if (cam != wm.camera) {
        throw InputError("the policy asks for camera '" + cam + "', but the world model (" +
                         options_.model.text + ") generates only '" + wm.camera + "'");
      }
    }
    ObservationRequest real;
    real.cameras = {wm.camera};
    real.width = wm.width;
    real.height = wm.height;
    // Scripted experts read simulator state: it comes from a shadow
    // simulation driven by the same actions (docs/worldmodel.md).
    real.privileged = request.privileged;
    WorldModelEnvConfig config;
    config.judge_every = options_.judge_every;
    config.threshold = options_.threshold;
    config.shadow = request.privileged;
    return std::make_unique<WorldModelEnv>(*this, inner_->make_env(real), model_, judge_, request,
                                           config, batch_);
  }

 private:
  std::shared_ptr<const Suite> inner_;
  std::shared_ptr<WorldModel> model_;
  std::shared_ptr<Judge> judge_;
  WorldModelEnvOptions options_;
  // One judge call per runner step for every worker's episode.
  std::shared_ptr<JudgeBatch> batch_;
  std::string judge_card_;
  SuiteInfo info_;
};

}  // namespace

WorldModelEnvOptions parse_world_model_env(const std::string& text) {
  const PolicySpec spec = PolicySpec::parse(text, "environment");
  if (spec.kind != "worldmodel") {
    throw InputError(
        spec.quoted() +
        ": expected sim or worldmodel:MODEL,judge=JUDGE (e.g. worldmodel:wm.pt,judge=judge.pt)");
  }
  WorldModelEnvOptions o;
  o.text = text;
  o.model = component_spec(spec.arg, text, "world model");
  const auto judge = spec.option("judge");
  if (!judge) {
    throw InputError(spec.quoted() +
                     ": a world-model evaluation needs a judge: add judge=JUDGE.pt (gauntlet wm "
                     "train-judge) or judge=python:pkg.module:Class");
  }
  o.judge = component_spec(*judge, text, "judge");
  for (const auto& [key, value] : spec.options) {
    if (key == "judge" || key == "name") continue;
    if (key == "judge_every") {
      const long n = spec.option_int(key, 1);
      if (n < 0)
        throw InputError(spec.quoted() +
                         ": judge_every must be >= 0 (0: judge only the last step)");
      o.judge_every = static_cast<int>(n);
    } else if (key == "threshold") {
      o.threshold = spec.option_double(key, 0.5);
      o.threshold_set = true;
      if (!(o.threshold > 0.0 && o.threshold <= 1.0)) {
        throw InputError(spec.quoted() + ": threshold must be in (0, 1]");
      }
    } else if (key == "card") {
      o.card = value;
      std::ifstream in(value, std::ios::binary);
      if (!in) {
        throw InputError(spec.quoted() + ": cannot read card '" + value +
                         "' (a report-card.json written by gauntlet wm validate)");
      }
      std::ostringstream contents;
      contents << in.rdbuf();
      o.card_text = contents.str();
      judge_card_summary(value, o.card_text);  // fails early on a malformed card
    } else if (key == "device" || key == "threads" || key == "path" || key == "venv") {
      o.model.options[key] = value;
      o.judge.options[key] = value;
    } else if (key.rfind("wm.", 0) == 0 && key.size() > 3) {
      o.model.options[key.substr(3)] = value;
    } else if (key.rfind("judge.", 0) == 0 && key.size() > 6) {
      o.judge.options[key.substr(6)] = value;
    } else {
      throw InputError(spec.quoted() + ": unknown option '" + key +
                       "'; valid: judge, judge_every, threshold, device, threads, path, venv, "
                       "wm.KEY, judge.KEY");
    }
  }
  return o;
}

std::shared_ptr<const Suite> make_world_model_suite(std::shared_ptr<const Suite> inner,
                                                    std::shared_ptr<WorldModel> model,
                                                    std::shared_ptr<Judge> judge,
                                                    const WorldModelEnvOptions& options) {
  return std::make_shared<WorldModelSuite>(std::move(inner), std::move(model), std::move(judge),
                                           options);
}

void register_world_model_environment(Registry& registry) {
  registry.add_environment(EnvironmentKind{
      "worldmodel", "worldmodel:MODEL,judge=JUDGE[,judge_every=N][,threshold=P][,card=CARD.json]",
      "a learned world model generates the frames, a judge decides success (docs/worldmodel.md)",
      [](std::shared_ptr<const Suite> suite, const std::string& spec, const Registry& r) {
        const WorldModelEnvOptions o = parse_world_model_env(spec);
        std::shared_ptr<WorldModel> model = r.make_world_model(o.model);
        std::shared_ptr<Judge> judge = r.make_judge(o.judge);
        return make_world_model_suite(std::move(suite), std::move(model), std::move(judge), o);
      }});
}

}  // namespace gauntlet::worldmodel
