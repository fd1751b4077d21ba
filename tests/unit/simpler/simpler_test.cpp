// The SimplerEnv-like suites: compositing is pixel-exact, overlays read from
// PNG round-trip, the env shows the overlay wherever the segmentation finds
// no robot or object, the scripted expert solves every task while `random`
// does not, and a bad overlay path is exit 2 naming it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/plan.hpp"
#include "harness/registry.hpp"
#include "harness/runner.hpp"
#include "reports/png.hpp"
#include "scenarios/render/overlay.hpp"
#include "tests/fixtures/builtin.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

namespace {

Image pattern(int w, int h, int seed) {
  Image img;
  img.resize(w, h);
  for (std::size_t i = 0; i < img.rgb.size(); ++i)
    img.rgb[i] = static_cast<std::uint8_t>((i * 37 + static_cast<std::size_t>(seed) * 101) % 251);
  return img;
}

std::map<std::string, std::pair<int, int>> successes(const std::string& suite_name,
                                                     const std::string& policy_spec, int episodes) {
  const Registry& registry = fixtures::builtin_registry();
  const auto suite = registry.load_suite(suite_name);
  auto policy = registry.make_policy(PolicySpec::parse(policy_spec));
  EpisodePlan plan;
  plan.episodes_per_task = episodes;
  const auto specs = plan_episodes(*suite, plan);
  RunnerOptions options;
  options.workers = 2;
  Runner runner(*suite, *policy, options);
  fixtures::CollectingSink sink;
  runner.run(specs, sink);
  REQUIRE(sink.rows.size() == specs.size());
  std::map<std::string, std::pair<int, int>> out;
  for (const auto& r : sink.rows) {
    CHECK(r.termination != Termination::kSimError);
    out[r.task_id].first += r.success ? 1 : 0;
    out[r.task_id].second += 1;
  }
  return out;
}

}  // namespace

TEST_CASE("compositing takes the rendered pixel under the mask and the background elsewhere",
          "[simpler][overlay]") {
  const Image rendered = pattern(7, 5, 1);
  const Image background = pattern(7, 5, 2);
  std::vector<std::uint8_t> mask(35, 0);
  for (std::size_t i = 0; i < mask.size(); i += 3) mask[i] = 1;
  Image out;
  render::composite(rendered, mask, background, out);
  REQUIRE(out.width == 7);
  REQUIRE(out.height == 5);
  for (std::size_t p = 0; p < mask.size(); ++p) {
    const Image& want = mask[p] ? rendered : background;
    for (std::size_t c = 0; c < 3; ++c) REQUIRE(out.rgb[3 * p + c] == want.rgb[3 * p + c]);
  }
  mask.pop_back();
  CHECK_THROWS(render::composite(rendered, mask, background, out));
}

TEST_CASE("nearest-neighbour resizing picks source pixels exactly", "[simpler][overlay]") {
  const Image src = pattern(4, 2, 3);
  Image out;
  render::resize_nearest(src, 8, 4, out);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 8; ++x) {
      for (int c = 0; c < 3; ++c) REQUIRE(out.pixel(y, x)[c] == src.pixel(y / 2, x / 2)[c]);
    }
  }
}

TEST_CASE("overlays round-trip through PNG and bad files are input errors naming them",
          "[simpler][overlay][bad-input]") {
  const auto dir = testing::fresh_dir("simpler_png");
  const Image img = render::standin_overlay("bridge_table", 40, 30);
  reports::write_png(dir / "o.png", img);
  const auto back = render::load_overlay((dir / "o.png").string());
  REQUIRE(back->width == 40);
  REQUIRE(back->height == 30);
  CHECK(back->rgb == img.rgb);
  // Stand-ins are deterministic and differ by name.
  CHECK(render::standin_overlay("bridge_table", 40, 30).rgb == img.rgb);
  CHECK(render::standin_overlay("bridge_sink", 40, 30).rgb != img.rgb);
  std::ofstream(dir / "bad.png") << "not a png at all";
  CHECK_THROWS_WITH(render::load_overlay((dir / "bad.png").string()),
                    Catch::Contains("bad.png") && Catch::Contains("not a PNG"));
  std::string bytes = reports::encode_png(img);
  bytes.resize(bytes.size() / 2);
  std::ofstream(dir / "cut.png", std::ios::binary) << bytes;
  CHECK_THROWS_WITH(render::load_overlay((dir / "cut.png").string()), Catch::Contains("cut.png"));
  CHECK_THROWS_WITH(render::load_overlay("standin:nope"), Catch::Contains("bridge_table"));
}

TEST_CASE("the agentview shows the overlay wherever no robot or object is seen",
          "[simpler][overlay]") {
  const Registry& registry = fixtures::builtin_registry();
  const auto suite = registry.load_suite("simpler-widowx-visual-matching");
  ObservationRequest request;
  request.cameras = {"agentview"};
  request.width = 80;
  request.height = 64;
  auto env = suite->make_env(request);
  EpisodePlan plan;
  plan.episodes_per_task = 1;
  const auto specs = plan_episodes(*suite, plan);
  const Observation& obs = env->reset(specs.at(0));
  const Image& shown = obs.cameras.at(0).image;
  Image bare;
  REQUIRE(env->render("agentview", 80, 64, bare));
  Image overlay;
  render::resize_nearest(render::standin_overlay("bridge_table"), 80, 64, overlay);
  int from_overlay = 0;
  int from_render = 0;
  for (std::size_t p = 0; p < 80 * 64; ++p) {
    const bool is_overlay = std::equal(shown.rgb.begin() + 3 * p, shown.rgb.begin() + 3 * p + 3,
                                       overlay.rgb.begin() + 3 * p);
    const bool is_render = std::equal(shown.rgb.begin() + 3 * p, shown.rgb.begin() + 3 * p + 3,
                                      bare.rgb.begin() + 3 * p);
    REQUIRE((is_overlay || is_render));
    from_overlay += is_overlay && !is_render;
    from_render += is_render && !is_overlay;
  }
  // The table and walls are replaced; the arm and the objects stay.
  CHECK(from_overlay > 80 * 64 / 2);
  CHECK(from_render > 80 * 64 / 50);
}

TEST_CASE("the scripted expert solves every WidowX task and random does not", "[simpler][expert]") {
  for (const auto& [task, n] : successes("simpler-widowx-visual-matching", "scripted", 3)) {
    INFO(task);
    CHECK(n.first >= 2);
  }
  int random = 0;
  for (const auto& [task, n] : successes("simpler-widowx-visual-matching", "random", 2))
    random += n.first;
  CHECK(random == 0);
}

TEST_CASE("the scripted expert solves every Google-robot task", "[simpler][expert]") {
  for (const auto& [task, n] : successes("simpler-google-visual-matching", "scripted", 3)) {
    INFO(task);
    CHECK(n.first >= 2);
  }
}

TEST_CASE("a bad overlay path exits 2 naming it", "[simpler][overlay][bad-input]") {
  const auto dir = testing::fresh_dir("simpler_cli");
  const auto r = testing::run_process(
      {testing::gauntlet_binary(), "run", "--suite", "simpler-widowx-visual-matching", "--policy",
       "zero", "--episodes", "1", "--overlay", (dir / "missing.png").string(), "--out",
       (dir / "a.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--overlay") && Catch::Contains("missing.png"));
}
