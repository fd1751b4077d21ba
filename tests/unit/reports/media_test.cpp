// MP4 episode videos (reports/mp4) decoded back with libav, and the inline-safe
// Markdown of `report --format pr`.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <regex>

#include "harness/errors.hpp"
#include "harness/plan.hpp"
#include "reports/mp4/mp4_video.hpp"
#include "reports/report_model.hpp"
#include "reports/writers.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::reports;

namespace {

// A gradient background with a red square moving one pixel per frame.
std::vector<Image> moving_square(int w, int h, int n) {
  std::vector<Image> frames;
  for (int f = 0; f < n; ++f) {
    Image img;
    img.width = w;
    img.height = h;
    img.rgb.resize(static_cast<std::size_t>(w * h * 3));
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        std::uint8_t* p = img.rgb.data() + 3 * (y * w + x);
        const bool square = x >= f && x < f + 10 && y >= 4 && y < 14;
        p[0] = square ? 220 : static_cast<std::uint8_t>(4 * x);
        p[1] = square ? 30 : static_cast<std::uint8_t>(4 * y);
        p[2] = square ? 30 : 100;
      }
    }
    frames.push_back(std::move(img));
  }
  return frames;
}

double psnr(const Image& a, const Image& b) {
  double se = 0.0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = double(a.rgb[i]) - double(b.rgb[i]);
    se += d * d;
  }
  const double mse = se / static_cast<double>(a.rgb.size());
  return 10.0 * std::log10(255.0 * 255.0 / std::max(mse, 1e-12));
}

RunResults synthetic(const std::string& policy, int tasks, int episodes, int successes) {
  RunResults r;
  r.header.suite_name = "synthetic";
  r.header.suite_hash = std::string(64, 'a');
  r.header.suite_seed = 7;
  r.header.policy_name = policy;
  r.header.policy_spec = policy;
  r.header.policy_identity = policy;
  r.header.episodes_per_task = episodes;
  r.header.perturbations = {"nominal"};
  for (int t = 0; t < tasks; ++t) {
    const std::string task = "task" + std::to_string(t);
    r.header.tasks.push_back(TaskInfo{task, "do " + task, 100, "fam"});
    for (int e = 0; e < episodes; ++e) {
      EpisodeResult ep;
      ep.task_id = task;
      ep.episode_index = e;
      ep.seed = episode_seed(7, task, "nominal", e);
      ep.success = e < successes;
      ep.termination = ep.success ? Termination::kSuccess : Termination::kTimeout;
      ep.steps = 50;
      r.episodes.push_back(ep);
    }
  }
  return r;
}

// Every target of a Markdown link or image and every src/href of an HTML tag
// in `md` that is not an absolute http(s) URL or an in-page anchor. Fenced
// code blocks and backslash-escaped brackets are text, not links.
std::vector<std::string> relative_links(const std::string& md) {
  std::string text;
  bool fenced = false;
  std::size_t pos = 0;
  while (pos < md.size()) {
    std::size_t end = md.find('\n', pos);
    if (end == std::string::npos) end = md.size();
    const std::string line = md.substr(pos, end - pos);
    if (line.rfind("```", 0) == 0) {
      fenced = !fenced;
    } else if (!fenced) {
      text += line + "\n";
    }
    pos = end + 1;
  }
  std::vector<std::string> out;
  const std::regex link(R"((^|[^\\])\]\(([^)\s]*))");
  const std::regex tag(R"(<[A-Za-z][^>]*\s(src|href)\s*=\s*["']?([^"'\s>]*))");
  const auto relative = [](const std::string& t) {
    return !(t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0 || t.rfind("#", 0) == 0);
  };
  for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator();
       ++it) {
    if (relative((*it)[2])) out.push_back((*it)[2]);
  }
  for (auto it = std::sregex_iterator(text.begin(), text.end(), tag); it != std::sregex_iterator();
       ++it) {
    if (relative((*it)[2])) out.push_back((*it)[2]);
  }
  return out;
}

}  // namespace

TEST_CASE("write_mp4 writes H.264 that decodes back to the frames it was given", "[reports][mp4]") {
  const auto dir = testing::fresh_dir("mp4_roundtrip");
  const auto frames = moving_square(64, 48, 30);
  write_mp4(dir / "a.mp4", frames, 10);
  CHECK_FALSE(std::filesystem::exists(dir / "a.mp4.tmp"));
  const Mp4Contents v = decode_mp4(dir / "a.mp4");
  CHECK(v.codec == "h264");
  CHECK(v.width == 64);
  CHECK(v.height == 48);
  CHECK(v.fps == Approx(10.0));
  REQUIRE(v.frames.size() == frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    CHECK(psnr(v.frames[i], frames[i]) > 28.0);  // lossy, but the same picture
  }
  // Frames stay in order: frame 20 is closer to the source's 20 than to its 5.
  CHECK(psnr(v.frames[20], frames[20]) > psnr(v.frames[20], frames[5]) + 5.0);

  SECTION("odd sizes become the next even size") {
    write_mp4(dir / "odd.mp4", moving_square(33, 17, 3), 20);
    const Mp4Contents odd = decode_mp4(dir / "odd.mp4");
    CHECK(odd.width == 34);
    CHECK(odd.height == 18);
    CHECK(odd.frames.size() == 3);
  }
}

TEST_CASE("MP4 writing and reading refuse bad input with a message", "[reports][mp4]") {
  const auto dir = testing::fresh_dir("mp4_bad");
  CHECK_THROWS_AS(write_mp4(dir / "none.mp4", {}, 10), InputError);
  auto mixed = moving_square(16, 16, 2);
  mixed.push_back(moving_square(18, 16, 1)[0]);
  CHECK_THROWS_WITH(write_mp4(dir / "mixed.mp4", mixed, 10), Catch::Contains("differ in size"));
  CHECK_THROWS_AS(write_mp4(dir / "fps.mp4", moving_square(16, 16, 2), 0), InputError);
  std::ofstream(dir / "junk.mp4") << std::string(4096, 'x');
  CHECK_THROWS_WITH(decode_mp4(dir / "junk.mp4"), Catch::Contains("junk.mp4"));
  CHECK_THROWS_WITH(decode_mp4(dir / "missing.mp4"), Catch::Contains("missing.mp4"));
}

TEST_CASE("report --format pr is Markdown with no relative links, images or files beside it",
          "[reports][pr]") {
  // A policy name that tries to smuggle in a relative image and a link.
  const std::string evil = "evil](success.svg) ![x](chart.png) <img src=\"a.png\">";
  const ReportModel model = build_report_model(
      {synthetic("baseline", 3, 20, 15), synthetic(evil, 3, 20, 5)}, {"a.h5", "b.h5"});
  const std::string md = markdown_report(model);
  REQUIRE_THAT(md, Catch::Contains("](success.svg)"));  // report.md does link its chart
  CHECK(relative_links(md) == std::vector<std::string>{"success.svg"});

  const std::string pr = pr_comment_markdown(model);
  INFO(pr);
  CHECK(relative_links(pr).empty());
  CHECK(pr.find("<img") == std::string::npos);
  CHECK_THAT(pr, Catch::Contains("```text") && Catch::Contains("| baseline |"));
  CHECK_THAT(pr, Catch::Contains("75.0% [62.8, 84.2]"));  // the chart's numbers: 45 of 60

  const auto dir = testing::fresh_dir("pr_comment");
  const auto writers = make_writers("pr");
  REQUIRE(writers.size() == 1);
  writers[0]->write(model, dir);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    files.push_back(e.path().filename().string());
  CHECK(files == std::vector<std::string>{"pr-comment.md"});
  CHECK(testing::read_file(dir / "pr-comment.md") == pr);
}

TEST_CASE("report --format pr stays under GitHub's comment limit", "[reports][pr]") {
  std::vector<RunResults> runs;
  std::vector<std::string> sources;
  for (int p = 0; p < 8; ++p) {
    runs.push_back(synthetic("policy-with-a-long-name-" + std::to_string(p), 150, 2, p % 3));
    sources.push_back("p" + std::to_string(p) + ".h5");
  }
  const ReportModel model = build_report_model(std::move(runs), sources);
  REQUIRE(markdown_report(model).size() > 65536);
  const std::string pr = pr_comment_markdown(model);
  CHECK(pr.size() <= 60000);
  CHECK_THAT(pr, Catch::Contains("left out to fit a comment") || Catch::Contains("Truncated"));
  CHECK(relative_links(pr).empty());
}
