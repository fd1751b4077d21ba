// Episode videos through the real binary: `run --video-format mp4` writes one
// H.264 MP4 per camera the policy saw, decoded back here with libav.
#include <catch2/catch.hpp>

#include "harness/results_store.hpp"
#include "reports/episode_video.hpp"
#include "reports/mp4/mp4_video.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;

namespace {

const std::string kPolicyDir = std::string(GAUNTLET_SOURCE_DIR) + "/tests/integration/data";

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

double mean_abs_difference(const Image& a, const Image& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
  return sum / static_cast<double>(a.rgb.size());
}

}  // namespace

TEST_CASE("run --video-format mp4 writes one H.264 MP4 per camera the policy saw",
          "[cli][videos][mp4]") {
  const auto dir = fresh_dir("cli_mp4_videos");
  const auto out = dir / "r.h5";
  const auto r = gauntlet_cmd(
      {"run", "--suite", "tabletop-smoke", "--task", "push-block-into-square", "--policy",
       "python:gauntlet_video_policy:TwoCameras,path=" + kPolicyDir, "--episodes", "1", "--videos",
       "1", "--video-format", "mp4,webp", "--out", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const RunResults results = ResultsStore::read(out);
  REQUIRE(results.episodes.size() == 1);
  const EpisodeResult& e = results.episodes[0];
  // A frame at reset, then every 2nd step (VideoOptions::every), plus the
  // last step when it ended the episode by success.
  const int every = reports::VideoOptions{}.every;
  const int expected = 1 + e.steps / every + (e.success && e.steps % every != 0 ? 1 : 0);
  const auto media = reports::media_dir(out);
  std::vector<Image> first_frames;
  for (const std::string camera : {"agentview", "wrist"}) {
    const auto file = media / reports::mp4_file_name(e.key(), camera);
    INFO(file);
    REQUIRE(std::filesystem::exists(file));
    CHECK(testing::read_file(file).substr(4, 4) == "ftyp");  // an ISO media (MP4) file
    const reports::Mp4Contents video = reports::decode_mp4(file);
    CHECK(video.codec == "h264");
    CHECK(video.width == 48);  // the policy's image size, not the suite's 128x128
    CHECK(video.height == 32);
    CHECK(video.fps == Approx(10.0));  // 20 Hz control, every 2nd step
    CHECK(static_cast<int>(video.frames.size()) == expected);
    REQUIRE(video.frames.size() >= 2);
    CHECK(mean_abs_difference(video.frames.front(), video.frames.back()) > 0.5);  // it moved
    first_frames.push_back(video.frames.front());
  }
  // Two different cameras, not one camera twice.
  CHECK(mean_abs_difference(first_frames[0], first_frames[1]) > 10.0);
  // The WebP beside them is the report's (the agentview).
  CHECK(std::filesystem::exists(media / reports::video_file_name(e.key())));

  const auto bad = gauntlet_cmd({"run", "--suite", "tabletop-smoke", "--policy", "zero",
                                 "--video-format", "avi", "--out", (dir / "x.h5").string()});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--video-format") && Catch::Contains("'avi'"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.h5"));
}
