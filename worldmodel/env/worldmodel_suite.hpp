// The `worldmodel` backend: a Suite that wraps a real suite. Each episode
// resets the real Env with the episode's seed for its first frame, then the
// policy acts closed-loop on frames a learned WorldModel generates, and a
// Judge decides success. Identities of both enter the suite's content hash.
#pragma once

#include <memory>
#include <string>

#include "harness/registry.hpp"
#include "harness/suite.hpp"
#include "harness/world_model.hpp"

namespace gauntlet::worldmodel {

struct WorldModelEnvOptions {
  std::string text;  // the --env spec as written
  PolicySpec model;  // e.g. torchscript:wm.pt, python:pkg.mod:Class
  PolicySpec judge;
  // Judge the current frame every N steps; 0 = only after the last step.
  // The last step of an episode is always judged.
  int judge_every = 1;
  double threshold = 0.5;      // success when the judge's probability reaches it
  bool threshold_set = false;  // given in the spec; otherwise the judge's recommendation, else 0.5
  // card=PATH: a `wm validate` report card (report-card.json) whose judge
  // error rates correct this run's success rates in reports and compare.
  std::string card;
  std::string card_text;  // the file's contents (parsed and checked by the suite)
};

// What a run's header carries from its card (RunHeader::judge_card, JSON):
// the file, its SHA-256, the judge's confusion counts and the rankable flag.
// InputError naming the card when it is not a report card with a judge correction.
std::string judge_card_summary(const std::string& path, const std::string& text);

// The success threshold in force: the spec's, else the judge's calibrated
// one, else 0.5.
double resolved_threshold(const WorldModelEnvOptions& options, const Judge& judge);

// Parses worldmodel:MODEL,judge=JUDGE[,judge_every=N][,threshold=P]
// [,card=CARD.json][,device=D][,threads=N][,path=DIR][,venv=DIR][,wm.KEY=V][,judge.KEY=V].
// MODEL and JUDGE are FILE.pt (TorchScript), torchscript:FILE.pt or
// python:pkg.module:Class; device/threads/path/venv go to both, wm.KEY and
// judge.KEY to one. InputError naming the environment spec when malformed.
WorldModelEnvOptions parse_world_model_env(const std::string& text);

// Registers the `worldmodel:` environment kind: Registry::wrap_in_environment
// then loads the model and the judge through the registry.
void register_world_model_environment(Registry& registry);

// The world-model suite from already built parts (tests, `wm validate`).
std::shared_ptr<const Suite> make_world_model_suite(std::shared_ptr<const Suite> inner,
                                                    std::shared_ptr<WorldModel> model,
                                                    std::shared_ptr<Judge> judge,
                                                    const WorldModelEnvOptions& options);

}  // namespace gauntlet::worldmodel
