// The world-model evaluation path end to end through the real `gauntlet`
// binary: record rollouts in MuJoCo, train a world model and a judge with
// LibTorch (real optimiser steps, tiny networks), roll policies out in the
// world model, validate it against the simulator, and the Python adapters.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness/demo_reader.hpp"
#include "harness/results_store.hpp"
#include "tests/support/process.hpp"
#include "worldmodel/env/worldmodel_env.hpp"

namespace fs = std::filesystem;
using gauntlet::testing::fresh_dir;
using gauntlet::testing::ProcessResult;
using gauntlet::testing::read_file;
using gauntlet::testing::run_process;

namespace {

ProcessResult gauntlet_cli(const std::vector<std::string>& args) {
  std::vector<std::string> full{gauntlet::testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

std::string test_data() {
  return std::string(GAUNTLET_SOURCE_DIR) + "/tests/worldmodel/data";
}

#define REQUIRE_EXIT(result, code)                        \
  do {                                                    \
    const auto& r_ = (result);                            \
    INFO("stdout: " << r_.out << "\nstderr: " << r_.err); \
    REQUIRE(r_.exit_code == (code));                      \
  } while (false)

// Demonstrations of a good and a bad policy (successes and failures), 32x32 agentview.
struct Demos {
  fs::path dir, good, bad;
};

Demos record_demos(const std::string& name) {
  Demos d;
  d.dir = fresh_dir(name);
  d.good = d.dir / "good.h5";
  d.bad = d.dir / "bad.h5";
  for (const auto& [policy, out] : {std::pair{std::string("noisy-scripted:0.2"), d.good},
                                    std::pair{std::string("random"), d.bad}}) {
    REQUIRE_EXIT(gauntlet_cli({"record", "--suite", "tabletop-smoke", "--task", "open-the-drawer",
                               "--policy", policy, "--episodes", "3", "--camera", "agentview",
                               "--image-size", "32x32", "--seed", "5", "--workers", "2", "--out",
                               out.string()}),
                 0);
  }
  return d;
}

nlohmann::json train(const Demos& d, const fs::path& out, const std::vector<std::string>& extra) {
  std::vector<std::string> args{
      "wm",         "train",      "--demos", d.good.string(), "--demos", d.bad.string(), "--out",
      out.string(), "--channels", "8",       "--batch",       "4",       "--horizon",    "3",
      "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = gauntlet_cli(args);
  REQUIRE_EXIT(r, 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("Recorded demonstrations read back with frames, actions, outcomes and the final frame",
          "[worldmodel][demos]") {
  const Demos d = record_demos("wm-demos");
  const gauntlet::DemoSet good = gauntlet::read_demo_file(d.good, "agentview");
  REQUIRE(good.episodes.size() == 3);
  for (const auto& e : good.episodes) {
    INFO(e.name);
    CHECK(e.task == "open-the-drawer");
    CHECK(e.width == 32);
    CHECK(e.height == 32);
    CHECK(e.action_dim == 7);
    CHECK(e.steps > 0);
    CHECK(e.actions.size() == static_cast<std::size_t>(e.steps) * 7);
    CHECK(e.frames.size() == static_cast<std::size_t>(e.frame_count()) * e.frame_bytes());
    CHECK(e.has_final);
    // The scene changes while the policy acts: the last frame differs from the first.
    CHECK(std::memcmp(e.frame(0), e.frame(e.frame_count() - 1), e.frame_bytes()) != 0);
  }
  const gauntlet::DemoSet bad = gauntlet::read_demo_file(d.bad, "agentview");
  int bad_successes = 0;
  for (const auto& e : bad.episodes) bad_successes += e.success ? 1 : 0;
  int good_successes = 0;
  for (const auto& e : good.episodes) good_successes += e.success ? 1 : 0;
  CHECK(good_successes > bad_successes);
  CHECK_THROWS_WITH(gauntlet::read_demo_file(d.good, "wrist"), Catch::Contains("wrist"));
  CHECK_THROWS_WITH(gauntlet::read_demo_file(d.dir / "missing.h5"), Catch::Contains("missing.h5"));
}

TEST_CASE(
    "wm train runs real LibTorch steps, is reproducible from its seed, and resumes from its "
    "checkpoint",
    "[worldmodel][train]") {
  const Demos d = record_demos("wm-train");
  const fs::path a = d.dir / "a.pt", b = d.dir / "b.pt", c = d.dir / "c.pt";
  const auto ja = train(d, a, {"--steps", "6", "--seed", "3"});
  CHECK(ja["episodes"] == 6);
  CHECK(std::isfinite(ja["final_loss"].get<double>()));
  CHECK(fs::file_size(a) > 1000);
  const auto jb = train(d, b, {"--steps", "6", "--seed", "3"});
  CHECK(jb["weights_digest"] ==
        ja["weights_digest"]);  // same data, options and seed: the same weights
  const auto jc = train(d, c, {"--steps", "6", "--seed", "4"});
  CHECK(jc["weights_digest"] != ja["weights_digest"]);

  // Resume: 6 more steps from a's checkpoint equal 12 steps in one go.
  const auto resumed = train(d, a, {"--steps", "12", "--seed", "3", "--resume"});
  CHECK(resumed["resumed_from"] == 6);
  const fs::path whole = d.dir / "whole.pt";
  const auto jw = train(d, whole, {"--steps", "12", "--seed", "3"});
  CHECK(jw["resumed_from"] == 0);
  CHECK(jw["final_loss"].get<double>() ==
        Approx(resumed["final_loss"].get<double>()).epsilon(1e-5));
  CHECK(jw["weights_digest"] == resumed["weights_digest"]);

  // A checkpoint of other options is refused, naming it.
  const auto other =
      gauntlet_cli({"wm", "train", "--demos", d.good.string(), "--out", a.string(), "--channels",
                    "8", "--batch", "4", "--horizon", "3", "--steps", "12", "--resume"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("checkpoint"));
}

TEST_CASE("Training lowers the world model's loss on its data", "[worldmodel][train]") {
  const Demos d = record_demos("wm-learns");
  const auto first = train(d, d.dir / "short.pt", {"--steps", "2", "--lr", "3e-3"});
  const auto later = train(d, d.dir / "long.pt", {"--steps", "60", "--lr", "3e-3"});
  CHECK(later["final_loss"].get<double>() < 0.8 * first["final_loss"].get<double>());
}

TEST_CASE(
    "A policy runs closed-loop in a trained world model, and wm validate writes the report card",
    "[worldmodel][validate]") {
  const Demos d = record_demos("wm-validate");
  const fs::path wm = d.dir / "wm.pt", wm2 = d.dir / "wm2.pt", judge = d.dir / "judge.pt";
  train(d, wm, {"--steps", "8", "--seed", "1"});
  train(d, wm2, {"--steps", "8", "--seed", "2"});
  const auto j =
      gauntlet_cli({"wm", "train-judge", "--demos", d.good.string(), "--demos", d.bad.string(),
                    "--out", judge.string(), "--channels", "8", "--steps", "10", "--batch", "8",
                    "--wm", wm.string(), "--holdout-every", "2", "--json"});
  REQUIRE_EXIT(j, 0);
  const auto jj = nlohmann::json::parse(j.out);
  CHECK(jj["positives"].get<int>() > 0);
  CHECK(jj["negatives"].get<int>() > 0);
  // One episode of each file (the second of three) calibrates the threshold instead of training.
  CHECK(jj["calibration_episodes"] == 2);
  CHECK(jj["threshold"].get<double>() > 0.0);
  CHECK(jj["threshold"].get<double>() < 1.0);
  // The calibrated threshold travels in the judge file's gauntlet.json.
  const fs::path meta = d.dir / "judge-gauntlet.json";
  gauntlet::testing::run_process(
      {GAUNTLET_PYTHON, "-c",
       "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n"
       "name = [n for n in z.namelist() if n.endswith('extra/gauntlet.json')][0]\n"
       "open(sys.argv[2], 'wb').write(z.read(name))",
       judge.string(), meta.string()});
  const auto judge_meta = nlohmann::json::parse(read_file(meta));
  CHECK(judge_meta["kind"] == "judge");
  CHECK(judge_meta["threshold"].get<double>() ==
        Approx(jj["threshold"].get<double>()).margin(1e-6));
  CHECK(judge_meta["calibration"]["episodes"] == 2);

  // gauntlet run --env worldmodel: the ordinary path (results file, seeds, JSON summary).
  const fs::path results = d.dir / "wm-run.h5";
  const auto run =
      gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy",
                    "noisy-scripted:0.2", "--episodes", "2", "--workers", "2", "--env",
                    "worldmodel:" + wm.string() + ",judge=" + judge.string(), "--out",
                    results.string(), "--json", "--videos", "0"});
  REQUIRE_EXIT(run, 0);
  const auto rj = nlohmann::json::parse(run.out);
  CHECK(rj["episodes"] == 2);
  const auto stored = gauntlet::ResultsStore::read(results);
  REQUIRE(stored.episodes.size() == 2);
  for (const auto& e : stored.episodes) {
    CHECK(e.error.empty());
    CHECK(e.steps > 0);
  }
  CHECK(stored.header.suite_name.find("worldmodel") != std::string::npos);

  const fs::path out = d.dir / "card";
  const auto v = gauntlet_cli({"wm",          "validate",
                               "--suite",     "tabletop-smoke",
                               "--task",      "open-the-drawer",
                               "--episodes",  "2",
                               "--seed",      "77",
                               "--workers",   "2",
                               "--policy",    "scripted",
                               "--policy",    "noisy-scripted:0.5",
                               "--policy",    "random",
                               "--wm",        wm.string(),
                               "--wm",        wm2.string(),
                               "--judge",     judge.string(),
                               "--bootstrap", "200",
                               "--capture",   "1",
                               "--horizon",   "12",
                               "--out",       out.string(),
                               "--json"});
  REQUIRE_EXIT(v, 0);
  const auto card = nlohmann::json::parse(read_file(out / "report-card.json"));
  CHECK(nlohmann::json::parse(v.out) == card);
  REQUIRE(card["policies"].size() == 3);
  int episodes = 0;
  for (const auto& p : card["policies"]) episodes += p["episodes"].get<int>();
  CHECK(episodes == 6);
  // The ranking agreement rows: the primary model, the ensemble vote, the discard rows.
  const auto& agreements = card["ranking_agreement"];
  REQUIRE(agreements.size() == 5);
  REQUIRE(agreements[0]["available"] == true);
  CHECK(agreements[0]["policies"].size() == 3);
  for (const char* key : {"spearman", "kendall_tau_b", "pearson", "mmrv"})
    CHECK(agreements[0].contains(key));
  const auto& confusion = card["per_episode"]["confusion"];
  CHECK(confusion["true_positive"].get<int>() + confusion["false_positive"].get<int>() +
            confusion["false_negative"].get<int>() + confusion["true_negative"].get<int>() ==
        6);
  // Open-loop fidelity: a drift curve over 12 steps with PSNR in a sane range.
  const auto& curve = card["open_loop_fidelity"]["curve"];
  REQUIRE(curve.size() == 12);
  for (const auto& p : curve) {
    CHECK(p["psnr_mean"].get<double>() > 3.0);
    CHECK(p["ssim_mean"].get<double>() <= 1.0);
    CHECK(p["copy_first_frame_psnr"].get<double>() > 3.0);
  }
  // The judge's calibrated threshold is the one in force (no --threshold given).
  CHECK(card["threshold"].get<double>() == Approx(jj["threshold"].get<double>()));
  // Discarding half of 6 episodes keeps one of each policy's two: every row is computed.
  REQUIRE(card["uncertainty"]["rows"].size() == 4);
  CHECK(card["uncertainty"]["rows"][3]["kept"] == 3);
  CHECK(agreements[4]["available"] == true);
  CHECK(agreements[4]["episodes"] == 3);
  const std::string html = read_file(out / "report-card.html");
  CHECK(html.find("data:image/png;base64,") != std::string::npos);  // side-by-side strips
  CHECK(fs::exists(out / "report-card.md"));
  CHECK(fs::exists(out / "results" / "sim" / "scripted.h5"));
  CHECK(fs::exists(out / "results" / "wm1" / "random.h5"));

  // Rerunning resumes every run and reports the same cost (from the stored episodes' wall times).
  const auto again = gauntlet_cli({"wm",          "validate",
                                   "--suite",     "tabletop-smoke",
                                   "--task",      "open-the-drawer",
                                   "--episodes",  "2",
                                   "--seed",      "77",
                                   "--workers",   "2",
                                   "--policy",    "scripted",
                                   "--policy",    "noisy-scripted:0.5",
                                   "--policy",    "random",
                                   "--wm",        wm.string(),
                                   "--wm",        wm2.string(),
                                   "--judge",     judge.string(),
                                   "--bootstrap", "200",
                                   "--capture",   "1",
                                   "--horizon",   "12",
                                   "--out",       out.string(),
                                   "--json"});
  REQUIRE_EXIT(again, 0);
  const auto card2 = nlohmann::json::parse(again.out);
  REQUIRE(card["cost"]["world_model_episodes_per_s"].is_number());
  CHECK(card2["cost"] == card["cost"]);
  CHECK(card2["ranking_agreement"][0] == agreements[0]);

  // Validation seeds equal to training seeds are flagged as leakage.
  const auto leak = gauntlet_cli({"wm",          "validate",
                                  "--suite",     "tabletop-smoke",
                                  "--task",      "open-the-drawer",
                                  "--episodes",  "1",
                                  "--seed",      "5",
                                  "--policy",    "scripted",
                                  "--policy",    "random",
                                  "--wm",        wm.string(),
                                  "--judge",     judge.string(),
                                  "--bootstrap", "100",
                                  "--out",       (d.dir / "leak").string(),
                                  "--json"});
  REQUIRE_EXIT(leak, 0);
  CHECK_THAT(nlohmann::json::parse(leak.out).dump(), Catch::Contains("trained on"));
}

TEST_CASE(
    "Python world models and judges: frames flow model -> judge, every step is judged, success "
    "ends it",
    "[worldmodel][python]") {
  const fs::path dir = fresh_dir("wm-python");
  const std::string env =
      "worldmodel:python:wm_test_models:PaintWorld,judge=python:wm_test_models:CountingJudge,"
      "judge.after=40,path=" +
      test_data();
  const fs::path out = dir / "r.h5";
  const auto r = gauntlet_cli({"run", "--suite", "tabletop-smoke", "--policy", "random",
                               "--episodes", "2", "--workers", "2", "--env", env, "--out",
                               out.string(), "--json", "--videos", "0"});
  REQUIRE_EXIT(r, 0);
  const auto stored = gauntlet::ResultsStore::read(out);
  REQUIRE(stored.episodes.size() == 6);
  for (const auto& e : stored.episodes) {
    INFO(e.task_id << " #" << e.episode_index << ": " << e.error);
    CHECK(e.error.empty());
    CHECK(e.success);
    CHECK(e.steps ==
          40);  // judged after every step; success at the 40th generated frame ends the episode
    CHECK(e.progress == Approx(1.0));
  }

  // A vision policy acts on the generated frames (it raises on anything else).
  const fs::path vision = dir / "vision.h5";
  const auto rv =
      gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy",
                    "python:wm_test_models:PaintReader,path=" + test_data(), "--episodes", "2",
                    "--env", env, "--out", vision.string(), "--json", "--videos", "0"});
  REQUIRE_EXIT(rv, 0);
  for (const auto& e : gauntlet::ResultsStore::read(vision).episodes) {
    CHECK(e.error.empty());
    CHECK(e.steps == 40);
  }

  // A policy that wants a camera the world model does not generate.
  const auto wrist =
      gauntlet_cli({"run", "--suite", "tabletop-smoke", "--policy",
                    "python:wm_test_models:WristPolicy,path=" + test_data(), "--episodes", "1",
                    "--env", env, "--out", (dir / "wrist.h5").string()});
  CHECK(wrist.exit_code == 2);
  CHECK_THAT(wrist.err, Catch::Contains("wrist"));

  // The judge's recommended threshold applies unless --env sets one.
  const std::string ramp =
      "worldmodel:python:wm_test_models:PaintWorld,judge=python:wm_test_models:RampJudge,path=" +
      test_data();
  for (const auto& [suffix, steps] :
       {std::pair{std::string(), 90}, std::pair{std::string(",threshold=0.5"), 50}}) {
    const fs::path f = dir / ("ramp" + std::to_string(steps) + ".h5");
    REQUIRE_EXIT(gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer",
                               "--policy", "zero", "--episodes", "1", "--env", ramp + suffix,
                               "--out", f.string(), "--videos", "0"}),
                 0);
    const auto rows = gauntlet::ResultsStore::read(f).episodes;
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].success);
    CHECK(rows[0].steps == steps);
  }

  // judge_every=0: only the last step is judged, so the episode runs to the step limit.
  const fs::path last = dir / "last.h5";
  const auto r0 =
      gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "push-block-into-square",
                    "--policy", "zero", "--episodes", "1", "--env", env + ",judge_every=0", "--out",
                    last.string(), "--json", "--videos", "0"});
  REQUIRE_EXIT(r0, 0);
  const auto s0 = gauntlet::ResultsStore::read(last);
  REQUIRE(s0.episodes.size() == 1);
  CHECK(s0.episodes[0].steps == 200);
  CHECK(s0.episodes[0].success);

  // A judge that raises fails its episodes with the traceback, not the run.
  const fs::path broken = dir / "broken.h5";
  const auto rb = gauntlet_cli(
      {"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy", "zero",
       "--episodes", "1", "--env",
       "worldmodel:python:wm_test_models:PaintWorld,judge=python:wm_test_models:BrokenJudge,"
       "path=" +
           test_data(),
       "--out", broken.string(), "--json", "--videos", "0"});
  CHECK(rb.exit_code != 2);
  const auto sb = gauntlet::ResultsStore::read(broken);
  REQUIRE(sb.episodes.size() == 1);
  CHECK_THAT(sb.episodes[0].error, Catch::Contains("judge exploded"));
}

TEST_CASE(
    "A stochastic world model seeded at reset repeats an episode's frames and varies them across "
    "episodes",
    "[worldmodel][python][seed]") {
  const fs::path dir = fresh_dir("wm-seed");
  // judge_every=0: only the last frame is judged, and its digest is the progress.
  const std::string env =
      "worldmodel:python:wm_test_models:NoisyWorld,judge=python:wm_test_models:DigestJudge,"
      "judge_every=0,path=" +
      test_data();
  std::vector<std::vector<gauntlet::EpisodeResult>> runs;
  for (const char* workers : {"1", "2"}) {
    const fs::path out = dir / (std::string("w") + workers + ".h5");
    REQUIRE_EXIT(gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer",
                               "--policy", "zero", "--episodes", "3", "--workers", workers, "--env",
                               env, "--out", out.string(), "--videos", "0"}),
                 0);
    runs.push_back(gauntlet::ResultsStore::read(out).episodes);
    REQUIRE(runs.back().size() == 3);
    for (const auto& e : runs.back()) {
      INFO(e.error);
      CHECK(e.error.empty());
    }
  }
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(runs[0][i].episode_index == runs[1][i].episode_index);
    CHECK(runs[0][i].progress == runs[1][i].progress);  // same episode, same frames, any worker
  }
  CHECK(runs[0][0].progress != runs[0][1].progress);  // different episodes, different frames
  CHECK(runs[0][1].progress != runs[0][2].progress);
}

TEST_CASE(
    "A TorchScript world model gets the seed when its reset declares it, and an older one still "
    "runs",
    "[worldmodel][torchscript][seed]") {
  const fs::path dir = fresh_dir("wm-seed-torchscript");
  REQUIRE_EXIT(
      run_process({GAUNTLET_PYTHON, test_data() + "/make_seeded_world_models.py", dir.string()}),
      0);
  const auto progress = [&](const std::string& model, const char* workers) {
    const fs::path out = dir / (model + workers + ".h5");
    REQUIRE_EXIT(
        gauntlet_cli(
            {"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy", "zero",
             "--episodes", "3", "--workers", workers, "--env",
             "worldmodel:torchscript:" + (dir / model).string() +
                 ",judge=python:wm_test_models:DigestJudge,judge_every=0,judge.path=" + test_data(),
             "--out", out.string(), "--videos", "0"}),
        0);
    std::vector<double> p;
    for (const auto& e : gauntlet::ResultsStore::read(out).episodes) {
      INFO(e.error);
      CHECK(e.error.empty());
      p.push_back(e.progress);
    }
    REQUIRE(p.size() == 3);
    return p;
  };
  const auto seeded = progress("seeded.pt", "1");
  CHECK(seeded == progress("seeded.pt", "2"));
  CHECK(seeded[0] != seeded[1]);
  CHECK(seeded[1] != seeded[2]);
  // reset(frames, proprio): called as before; every episode paints the same grey.
  const auto unseeded = progress("unseeded.pt", "2");
  CHECK(unseeded[0] == unseeded[1]);
  CHECK(unseeded[1] == unseeded[2]);
}

TEST_CASE("Bad world-model input exits 2 naming the argument or file", "[worldmodel][errors]") {
  const fs::path dir = fresh_dir("wm-errors");
  const auto run_env = [&](const std::string& env) {
    return gauntlet_cli({"run", "--suite", "tabletop-smoke", "--policy", "zero", "--episodes", "1",
                         "--env", env, "--out", (dir / "x.h5").string()});
  };
  const auto no_judge = run_env("worldmodel:" + (dir / "wm.pt").string());
  CHECK(no_judge.exit_code == 2);
  CHECK_THAT(no_judge.err, Catch::Contains("judge"));
  const auto missing =
      run_env("worldmodel:" + (dir / "nope.pt").string() + ",judge=" + (dir / "j.pt").string());
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("nope.pt"));
  const auto kind = run_env("bogus:thing");
  CHECK(kind.exit_code == 2);
  CHECK_THAT(kind.err, Catch::Contains("environment 'bogus:thing': unknown kind"));
  CHECK_FALSE(fs::exists(dir / "x.h5"));

  // A TorchScript file that is a policy, not a world model.
  gauntlet::testing::run_process(
      {GAUNTLET_PYTHON, GAUNTLET_SOURCE_DIR "/tests/adapters/data/make_torchscript_models.py",
       dir.string()});
  const auto policy_file = run_env("worldmodel:" + (dir / "mlp_policy.pt").string() +
                                   ",judge=" + (dir / "mlp_policy.pt").string());
  CHECK(policy_file.exit_code == 2);
  CHECK_THAT(policy_file.err, Catch::Contains("mlp_policy.pt"));

  const auto no_demos = gauntlet_cli(
      {"wm", "train", "--demos", (dir / "absent.h5").string(), "--out", (dir / "wm.pt").string()});
  CHECK(no_demos.exit_code == 2);
  CHECK_THAT(no_demos.err, Catch::Contains("absent.h5"));
  {
    std::ofstream fake(dir / "fake.h5");
    fake << "not an HDF5 file\n";
  }
  const auto not_demos = gauntlet_cli(
      {"wm", "train", "--demos", (dir / "fake.h5").string(), "--out", (dir / "wm.pt").string()});
  CHECK(not_demos.exit_code == 2);
  CHECK_THAT(not_demos.err, Catch::Contains("fake.h5"));
  CHECK_FALSE(fs::exists(dir / "wm.pt"));
}

TEST_CASE("Frames are resized bilinearly at pixel centres", "[worldmodel][resize]") {
  gauntlet::Image src;
  src.resize(4, 2);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) {
      for (int k = 0; k < 3; ++k)
        src.rgb[static_cast<std::size_t>((y * 4 + x) * 3 + k)] =
            static_cast<std::uint8_t>(x < 2 ? 0 : 200);
    }
  }
  gauntlet::Image out;
  gauntlet::worldmodel::resize_image(src, 2, 1, out);
  REQUIRE(out.width == 2);
  REQUIRE(out.height == 1);
  // Halving: each output pixel is the mean of a 2x2 block.
  CHECK(static_cast<int>(out.rgb[0]) == 0);
  CHECK(static_cast<int>(out.rgb[3]) == 200);
  gauntlet::worldmodel::resize_image(src, 4, 2, out);
  CHECK(out.rgb == src.rgb);  // same size: unchanged
  gauntlet::worldmodel::resize_image(src, 8, 2, out);
  // Upsampling a 0|200 edge: the two pixels next to it interpolate 1/4 and 3/4 of the way.
  CHECK(static_cast<int>(out.rgb[3 * 3]) == 50);
  CHECK(static_cast<int>(out.rgb[4 * 3]) == 150);
}

TEST_CASE(
    "A biased Python judge: the card measures its bias, a run with card= reports corrected rates "
    "that remove it, and compare refuses to gate on a card that is not rankable",
    "[worldmodel][python][correction]") {
  const fs::path dir = fresh_dir("wm-biased-judge");
  // The judge calls 30% of never-moving episodes (zero: 0% in the simulator) successes and
  // 95% of moving ones (scripted: 100% in the simulator).
  const std::string models =
      "worldmodel:python:wm_test_models:MotionWorld,judge=python:"
      "wm_test_models:BiasedJudge,judge_every=0,path=" +
      test_data();
  const fs::path card_dir = dir / "card";
  const auto v = gauntlet_cli({"wm",
                               "validate",
                               "--suite",
                               "tabletop-smoke",
                               "--task",
                               "open-the-drawer",
                               "--episodes",
                               "20",
                               "--workers",
                               "2",
                               "--policy",
                               "zero",
                               "--policy",
                               "scripted",
                               "--wm",
                               "python:wm_test_models:MotionWorld",
                               "--judge",
                               "python:wm_test_models:BiasedJudge,path=" + test_data(),
                               "--judge-every",
                               "0",
                               "--capture",
                               "0",
                               "--strips",
                               "0",
                               "--bootstrap",
                               "200",
                               "--out",
                               card_dir.string()});
  REQUIRE_EXIT(v, 0);
  const auto card = nlohmann::json::parse(read_file(card_dir / "report-card.json"));
  const auto& jc = card["judge_correction"];
  INFO(jc.dump());
  CHECK(jc["true_positive"].get<int>() + jc["false_negative"].get<int>() == 20);
  CHECK(jc["true_negative"].get<int>() + jc["false_positive"].get<int>() == 20);
  // The judge's bias, measured: its 95% intervals hold the rates it was built with.
  CHECK(jc["sensitivity_ci"][0].get<double>() <= 0.95);
  CHECK(jc["sensitivity_ci"][1].get<double>() >= 0.95);
  CHECK(jc["specificity_ci"][0].get<double>() <= 0.7);
  CHECK(jc["specificity_ci"][1].get<double>() >= 0.7);
  CHECK(jc["false_positive"].get<int>() > 0);
  CHECK(jc["informative"].get<bool>());
  // judge_every=0: one judged frame per world-model episode, all of them metered; the two
  // workers' episodes end together, so their last frames share judge calls.
  CHECK(card["judge_cost"]["frames_judged"].get<int>() == 40);
  CHECK(card["judge_cost"]["calls"].get<int>() >= 20);
  CHECK(card["judge_cost"]["calls"].get<int>() < 40);
  // Two policies cannot measure ranking agreement: not rankable.
  CHECK_FALSE(jc["rankable"].get<bool>());
  for (const auto& p : card["policies"]) {
    // Neither asks for a camera; scripted reads a shadow simulation's state.
    CHECK_FALSE(p["acted_on_generated_frames"].get<bool>());
    CHECK(p["shadow_simulation"].get<bool>() == (p["policy"] == "scripted"));
  }

  // Held-out seeds, the card named in --env: reports say the rates are corrected.
  const std::string env = models + ",card=" + (card_dir / "report-card.json").string();
  for (const char* policy : {"zero", "scripted"}) {
    REQUIRE_EXIT(
        gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy",
                      policy, "--episodes", "20", "--seed", "77", "--workers", "2", "--env", env,
                      "--out", (dir / (std::string(policy) + ".h5")).string(), "--videos", "0"}),
        0);
  }
  const auto header = gauntlet::ResultsStore::read(dir / "zero.h5").header;
  CHECK_THAT(header.judge_card, Catch::Contains("\"false_positive\""));
  REQUIRE_EXIT(gauntlet_cli({"report", (dir / "zero.h5").string(), (dir / "scripted.h5").string(),
                             "--out", (dir / "report").string(), "--format", "json,md"}),
               0);
  const auto report = nlohmann::json::parse(read_file(dir / "report" / "report.json"));
  INFO(report.dump());
  REQUIRE(report["corrections"].size() == 1);
  CHECK_THAT(report["corrections"][0].get<std::string>(), Catch::Contains("CORRECTED"));
  CHECK_THAT(read_file(dir / "report" / "report.md"), Catch::Contains("Corrected"));
  bool saw_zero = false;
  for (const auto& p : report["policies"]) {
    const auto& s = p["success"];
    INFO(p["name"] << ": " << s.dump());
    REQUIRE(s["corrected"].get<bool>());
    const double judged = s["judged_success_rate"].get<double>();
    const auto& judged_ci = s["judged_ci95"];
    const auto& ci = s["ci95"];
    if (p["name"] == "zero") {
      saw_zero = true;
      // The bias is visible: the judged interval excludes the simulator's 0%...
      CHECK(judged > 0.1);
      CHECK(judged_ci[0].get<double>() > 0.0);
      // ... and the corrected rate removes it: its interval holds 0%, its estimate is lower.
      CHECK(s["success_rate"].get<double>() < judged);
      CHECK(ci[0].get<double>() == 0.0);
    } else {
      CHECK(s["success_rate"].get<double>() >= judged);
      CHECK(ci[1].get<double>() == Approx(1.0));
    }
  }
  CHECK(saw_zero);

  // The card says not rankable: compare refuses to gate (exit 2 naming --force) unless forced.
  const std::vector<std::string> cmp{"compare", "--baseline", (dir / "scripted.h5").string(),
                                     "--candidate", (dir / "zero.h5").string()};
  const auto refused = gauntlet_cli(cmp);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("NOT RANKABLE") && Catch::Contains("--force"));
  auto forced_args = cmp;
  forced_args.push_back("--force");
  forced_args.push_back("--json");
  const auto forced = gauntlet_cli(forced_args);
  REQUIRE(forced.exit_code == 1);  // zero is far worse than scripted
  const auto forced_json = nlohmann::json::parse(forced.out);
  CHECK(forced_json["corrected"].get<bool>());
  CHECK_FALSE(forced_json["rankable"].get<bool>());

  // So does a sequential compare run in the world model with that card, before any episode.
  const auto sequential =
      gauntlet_cli({"compare", "--sequential", "--suite", "tabletop-smoke", "--task",
                    "open-the-drawer", "--policy-a", "scripted", "--policy-b", "zero", "--env", env,
                    "--out", (dir / "sequential").string()});
  CHECK(sequential.exit_code == 2);
  CHECK_THAT(sequential.err, Catch::Contains("NOT RANKABLE") && Catch::Contains("--force"));
  CHECK_FALSE(fs::exists(dir / "sequential" / "baseline.h5"));

  // A card from another judge is refused (exit 2 naming the card).
  const auto other =
      gauntlet_cli({"run", "--suite", "tabletop-smoke", "--task", "open-the-drawer", "--policy",
                    "zero", "--episodes", "1", "--env", env + ",judge.false_positive=0.1", "--out",
                    (dir / "other.h5").string(), "--videos", "0"});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("report-card.json"));
}

TEST_CASE(
    "The judge is batched across workers: fewer calls than judged frames, the same per-episode "
    "verdicts as one worker; the card says which policies acted on generated frames",
    "[worldmodel][python][batch]") {
  const fs::path dir = fresh_dir("wm-judge-batch");
  // A behaviour-cloning CNN (examples/bc, TorchScript) that acts on the frames it is shown.
  const fs::path demos = dir / "demos.h5";
  REQUIRE_EXIT(gauntlet_cli({"record", "--suite", "tabletop-smoke", "--task",
                             "pick-cube-onto-plate", "--episodes", "2", "--camera", "agentview",
                             "--image-size", "32x32", "--seed", "3", "--out", demos.string()}),
               0);
  REQUIRE_EXIT(
      run_process({GAUNTLET_PYTHON, std::string(GAUNTLET_SOURCE_DIR) + "/examples/bc/train.py",
                   "--demos", demos.string(), "--kind", "cnn", "--out", (dir / "bc").string(),
                   "--epochs", "1", "--hidden", "16", "--batch", "32"}),
      0);
  const fs::path ckpt = dir / "bc" / "epoch_001";
  const std::string bc = "torchscript:" + (ckpt / "model.pt").string() +
                         ",config=" + (ckpt / "policy.yaml").string() + ",name=bc";
  const std::vector<std::string> policies{"zero", "scripted", "vision-scripted", "random", bc};
  const auto validate = [&](const char* workers) {
    fs::path out = dir / (std::string("w") + workers);
    std::vector<std::string> args{
        "wm",          "validate",
        "--suite",     "tabletop-smoke",
        "--task",      "pick-cube-onto-plate",
        "--episodes",  "3",
        "--workers",   workers,
        "--wm",        "python:wm_test_models:MotionWorld",
        "--judge",     "python:wm_test_models:BiasedJudge,path=" + test_data(),
        "--capture",   "0",
        "--strips",    "0",
        "--bootstrap", "100",
        "--out",       out.string()};
    for (const auto& p : policies) {
      args.push_back("--policy");
      args.push_back(p);
    }
    REQUIRE_EXIT(gauntlet_cli(args), 0);
    return out;
  };
  const fs::path one = validate("1");
  const fs::path three = validate("3");
  const auto card1 = nlohmann::json::parse(read_file(one / "report-card.json"));
  const auto card3 = nlohmann::json::parse(read_file(three / "report-card.json"));
  const auto& cost1 = card1["judge_cost"];
  const auto& cost3 = card3["judge_cost"];
  INFO(cost1.dump() << "\n" << cost3.dump());
  // judge_every=1: every world-model step is judged; one worker, one frame per call.
  CHECK(cost1["calls"].get<int>() == cost1["frames_judged"].get<int>());
  // Three workers: one call per step for all live episodes.
  CHECK(cost3["frames_judged"].get<int>() == cost1["frames_judged"].get<int>());
  CHECK(cost3["calls"].get<int>() < cost3["frames_judged"].get<int>());
  CHECK(cost3["frames_per_call"].get<double>() > 1.5);
  CHECK(cost3["ms_per_frame"].get<double>() > 0.0);
  CHECK_THAT(read_file(three / "report-card.md"), Catch::Contains("frames per call"));

  // The same per-episode verdicts (and steps) with one worker and with three.
  for (const char* label : {"zero", "scripted", "vision-scripted", "random", "bc"}) {
    const auto a =
        gauntlet::ResultsStore::read(one / "results" / "wm" / (std::string(label) + ".h5"))
            .episodes;
    const auto b =
        gauntlet::ResultsStore::read(three / "results" / "wm" / (std::string(label) + ".h5"))
            .episodes;
    REQUIRE(a.size() == 3);
    REQUIRE(b.size() == 3);
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO(label << " #" << a[i].episode_index << ": " << a[i].error << " | " << b[i].error);
      CHECK(a[i].episode_index == b[i].episode_index);
      CHECK(a[i].success == b[i].success);
      CHECK(a[i].steps == b[i].steps);
      CHECK(a[i].termination == b[i].termination);
      CHECK(a[i].progress == b[i].progress);
    }
  }

  // What each policy acted on in the world model.
  std::map<std::string, std::pair<bool, bool>> expected{
      {"zero", {false, false}},
      {"scripted", {false, true}},        // privileged state from the shadow simulation
      {"vision-scripted", {true, true}},  // the target from frames, the gripper from state
      {"random", {false, false}},
      {"bc", {true, false}}};  // frames (and predicted proprioception) only
  REQUIRE(card3["policies"].size() == expected.size());
  for (const auto& p : card3["policies"]) {
    const std::string name = p["policy"].get<std::string>();
    INFO(name << ": " << p.dump());
    REQUIRE(expected.count(name) == 1);
    CHECK(p["acted_on_generated_frames"].get<bool>() == expected[name].first);
    CHECK(p["shadow_simulation"].get<bool>() == expected[name].second);
  }
  CHECK_THAT(read_file(three / "report-card.md"),
             Catch::Contains("generated frames + shadow state"));
}
