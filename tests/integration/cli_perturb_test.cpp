// The perturbation commands of the real `gauntlet` binary: list perturbations,
// run --ood-sweep with paired seeds, suites restricting dimensions, preview
// contact sheets, and the robustness section of reports; bad input exits 2.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/results_store.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  // Built front to back: GCC 12 sees a null dereference in vector::insert at begin().
  std::vector<std::string> argv;
  argv.reserve(args.size() + 1);
  argv.push_back(testing::gauntlet_binary());
  for (const auto& a : args) argv.push_back(a);
  return run_process(argv);
}

// Width and height from a PNG's IHDR chunk.
std::pair<int, int> png_size(const std::string& bytes) {
  REQUIRE(bytes.size() > 24);
  REQUIRE(bytes.substr(1, 3) == "PNG");
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(bytes[at]) << 24) |
           (static_cast<unsigned char>(bytes[at + 1]) << 16) |
           (static_cast<unsigned char>(bytes[at + 2]) << 8) |
           static_cast<unsigned char>(bytes[at + 3]);
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("list perturbations prints every dimension with its parameters per level",
          "[cli][perturb]") {
  const auto r = gauntlet_cmd({"list", "perturbations", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 10);
  for (const auto& d : j) {
    INFO(d["name"]);
    CHECK(d["levels"].size() == 5);
    CHECK(d["levels"][4]["level"] == 5);
    CHECK(!d["levels"][0]["parameters"].empty());
  }
  CHECK(j[0]["name"] == "camera");
  CHECK(j[0]["levels"][4]["parameters"][0]["name"] == "azimuth");
  CHECK(j[0]["levels"][4]["parameters"][0]["value"].get<double>() >
        j[0]["levels"][0]["parameters"][0]["value"].get<double>());
  const auto text = gauntlet_cmd({"list", "perturbations"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("sensor_noise") && Catch::Contains("level 5:"));
}

TEST_CASE("run --ood-sweep runs nominal and every dimension at every level, paired by seed",
          "[cli][perturb]") {
  const auto dir = fresh_dir("cli_ood_sweep");
  const std::string out = (dir / "sweep.h5").string();
  const auto r = gauntlet_cmd({"run",
                               "--suite",
                               "tabletop-smoke",
                               "--policy",
                               "scripted",
                               "--task",
                               "open-the-drawer",
                               "--episodes",
                               "2",
                               "--workers",
                               "2",
                               "--ood-sweep",
                               "1,4",
                               "--ood-dims",
                               "camera,action,language",
                               "--perturb",
                               "camera:1,action:1",
                               "--out",
                               out,
                               "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const RunResults results = ResultsStore::read(out);
  CHECK(results.header.perturbations ==
        std::vector<std::string>{"nominal", "camera:1", "camera:4", "action:1", "action:4",
                                 "language:1", "language:4", "action:1,camera:1"});
  REQUIRE(results.episodes.size() == 8 * 2);
  std::map<int, std::uint64_t> nominal_seed;
  for (const auto& e : results.episodes) {
    if (e.perturbation_id == "nominal") nominal_seed[e.episode_index] = e.seed;
  }
  REQUIRE(nominal_seed.size() == 2);
  for (const auto& e : results.episodes) CHECK(e.seed == nominal_seed.at(e.episode_index));
  // Ranked by its nominal episodes; the perturbed ones are reported for robustness.
  const auto summary = nlohmann::json::parse(r.out);
  CHECK(summary["episodes"] == 2);

  // The report pairs them.
  const auto rep =
      gauntlet_cmd({"report", out, "--out", (dir / "report").string(), "--format", "md,json"});
  REQUIRE(rep.exit_code == 0);
  const auto j = nlohmann::json::parse(testing::read_file(dir / "report" / "report.json"));
  REQUIRE(j["robustness"].size() == 1);
  const auto& rob = j["robustness"][0];
  CHECK(rob["nominal"]["trials"] == 2);
  REQUIRE(rob["dimensions"].size() == 3);
  CHECK(rob["dimensions"][0]["dimension"] == "camera");
  CHECK(rob["dimensions"][0]["levels"][0]["pairs"] == 2);
  CHECK(rob["dimensions"][0]["levels"][0]["drop"].get<double>() ==
        0.0);  // the expert does not look
  REQUIRE(rob["interactions"].size() == 1);
  CHECK(rob["interactions"][0]["complete"] == true);
  const std::string md = testing::read_file(dir / "report" / "report.md");
  CHECK_THAT(md, Catch::Contains("## Robustness") && Catch::Contains("| camera |") &&
                     Catch::Contains("action:1,camera:1"));
}

TEST_CASE("Bad perturbation options exit 2 naming the option and the valid choices",
          "[cli][perturb][bad-input]") {
  const auto dir = fresh_dir("cli_perturb_bad");
  const std::string out = (dir / "x.h5").string();
  for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--ood-sweep", "0,6"}, "--ood-sweep: expected levels in 1..5"},
           {{"--ood-dims", "camera"}, "--ood-dims needs --ood-sweep"},
           {{"--ood-sweep", "--ood-dims", "camera,fog"}, "unknown perturbation dimension 'fog'"},
           {{"--perturb", "camera:9"}, "must be an integer 0..5"}}) {
    std::vector<std::string> cmd{"run",   "--suite", "tabletop-smoke", "--policy", "zero",
                                 "--out", out};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const auto r = gauntlet_cmd(cmd);
    INFO(args[0] << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(needle));
  }
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("A suite can restrict its dimensions, and unknown ones fail at their line",
          "[cli][perturb][bad-input]") {
  const auto dir = fresh_dir("cli_perturb_yaml");
  const auto write = [&](const std::string& name, const std::string& perturbations) {
    std::ofstream(dir / name)
        << "name: s\nseed: 1\n"
        << perturbations
        << "tasks:\n  - id: a\n    family: open_drawer\n    instruction: open the drawer\n"
           "    cabinet_region: {x: [-0.3, -0.2], y: [-0.1, 0.1]}\n";
    return (dir / name).string();
  };
  const std::string none = write("none.yaml", "perturbations: []\n");
  auto r = gauntlet_cmd({"run", "--suite", none, "--policy", "zero", "--perturb", "camera:1",
                         "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("does not support dimension 'camera' (it supports none)"));
  r = gauntlet_cmd({"run", "--suite", none, "--policy", "zero", "--ood-sweep", "--out",
                    (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("supports no perturbation"));

  const std::string some = write("some.yaml", "perturbations: [camera, action]\n");
  r = gauntlet_cmd({"run", "--suite", some, "--policy", "zero", "--perturb", "lighting:1", "--out",
                    (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("supported: camera, action"));

  const std::string typo = write("typo.yaml", "perturbations: [camera, lightning]\n");
  r = gauntlet_cmd({"run", "--suite", typo, "--policy", "zero", "--out", (dir / "o.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("typo.yaml:3") &&
                        Catch::Contains("unknown perturbation dimension 'lightning'"));
  CHECK_FALSE(std::filesystem::exists(dir / "o.h5"));
}

TEST_CASE("preview writes a labelled contact sheet of episodes x cameras by levels",
          "[cli][perturb]") {
  const auto dir = fresh_dir("cli_preview");
  const std::string sheet = (dir / "sheet.png").string();
  const auto r =
      gauntlet_cmd({"preview", "--suite", "tabletop-smoke", "--task", "pick-cube-onto-plate",
                    "--perturb", "language,camera", "--seeds", "2", "--out", sheet});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto [w, h] = png_size(testing::read_file(sheet));
  // 6 columns and 2 episodes x 2 cameras of 128 x 128, 2 px gaps, plus label margins.
  CHECK(w > 6 * 130);
  CHECK(w < 6 * 130 + 200);
  CHECK(h > 4 * 130);
  CHECK(h < 4 * 130 + 40);
  CHECK_THAT(r.out, Catch::Contains("level 0: pick up the red cube and place it on the plate"));
  CHECK_THAT(r.out, Catch::Contains("level 5:"));

  const auto bad =
      gauntlet_cmd({"preview", "--suite", "tabletop-smoke", "--perturb", "fog", "--out", sheet});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown perturbation dimension 'fog'"));
  const auto levels = gauntlet_cmd(
      {"preview", "--suite", "tabletop-smoke", "--perturb", "camera:3", "--out", sheet});
  CHECK(levels.exit_code == 2);
  CHECK_THAT(levels.err, Catch::Contains("the levels are the columns"));
}
