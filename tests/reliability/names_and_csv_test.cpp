// Names that become file names or terminal/Markdown text, the Python
// adapter's declared requirements, and agreement CSVs (issue 17, items 11, 12).
#include <catch2/catch.hpp>

#include <fstream>
#include <random>

#include "adapters/python/register.hpp"
#include "harness/errors.hpp"
#include "harness/file_names.hpp"
#include "harness/registry.hpp"
#include "metrics/evaluation_table.hpp"
#include "reports/episode_video.hpp"
#include "reports/writers.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;

TEST_CASE("File names from names are bounded, hashed and stay in their folder",
          "[reliability][names]") {
  for (const std::string name : {"..", ".", "", "../../etc/passwd", "/abs", ".hidden", "a/b"}) {
    const std::string f = safe_file_name(name);
    INFO("'" << name << "' -> '" << f << "'");
    CHECK(!f.empty());
    CHECK(f[0] != '.');
    CHECK(f.find('/') == std::string::npos);
    CHECK(file_inside("out", name, ".h5").parent_path() == std::filesystem::path("out"));
  }
  CHECK(safe_file_name("tabletop-smoke") == "tabletop-smoke");
  const std::string long_a(300, 'a');
  const std::string long_b = std::string(299, 'a') + "b";
  CHECK(safe_file_name(long_a).size() <= 120);
  CHECK(safe_file_name(long_a) != safe_file_name(long_b));
  CHECK(safe_file_name("a b") != safe_file_name("a_b"));
  // A 300-character task id gives a video file name under 255 bytes.
  const std::string video = reports::video_file_name(EpisodeKey{long_a, "camera:3", 12});
  CHECK(video.size() < 255);
}

TEST_CASE("CR and ESC in names are escaped in Markdown and terminal text", "[reliability][names]") {
  const std::string hostile = "task\r\x1b[31mred\x07";
  for (const std::string& s : {reports::escape_markdown(hostile), printable(hostile)}) {
    INFO(s);
    CHECK(s.find('\r') == std::string::npos);
    CHECK(s.find('\x1b') == std::string::npos);
    CHECK(s.find('\x07') == std::string::npos);
  }
  // Error messages that echo a hostile name reach the terminal escaped.
  const auto dir = testing::fresh_dir("rel_escape");
  const auto r = testing::run_process({testing::gauntlet_binary(), "report",
                                       (dir / "no\x1b[31mfile\r.h5").string(), "--out",
                                       (dir / "rep").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("\\x1b"));
}

TEST_CASE("A Python policy's cameras must be a list and image_size positive",
          "[reliability][python]") {
  const auto dir = testing::fresh_dir("rel_python");
  std::ofstream(dir / "rel_policies.py") << "import numpy as np\n"
                                            "class StrCameras:\n"
                                            "    cameras = 'agentview'\n"
                                            "    def act(self, obs): return np.zeros(7)\n"
                                            "class BadSize:\n"
                                            "    cameras = ['agentview']\n"
                                            "    image_size = (-5, 0)\n"
                                            "    def act(self, obs): return np.zeros(7)\n";
  Registry r;
  adapters::register_python_policy(r);
  const auto make = [&](const std::string& cls) {
    return r.make_policy(PolicySpec::parse("python:rel_policies:" + cls + ",path=" + dir.string()));
  };
  CHECK_THROWS_AS(make("StrCameras"), InputError);
  CHECK_THROWS_WITH(make("StrCameras"), Catch::Contains("cameras"));
  CHECK_THROWS_AS(make("BadSize"), InputError);
  CHECK_THROWS_WITH(make("BadSize"), Catch::Contains("image_size"));
}

TEST_CASE("Agreement CSVs: 0/1 per episode, a BOM, bounded echoes, one prefix",
          "[reliability][csv]") {
  using metrics::parse_evaluation_csv;
  CHECK_THROWS_WITH(parse_evaluation_csv("policy,task,episode,success\na,t,0,0.5\n", "x.csv"),
                    Catch::Contains("x.csv:2") && Catch::Contains("0 or 1"));
  const auto t =
      parse_evaluation_csv("\xEF\xBB\xBFpolicy,task,episode,success\na,t,0,1\n", "x.csv");
  CHECK(t.policies == std::vector<std::string>{"a"});
  const std::string big(10 << 20, 'z');
  try {
    parse_evaluation_csv("policy,task,episode,success\na,t," + big + ",1\n", "x.csv");
    FAIL("accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).size() < 400);
  }
  // The CLI: one "agreement:" prefix.
  const auto dir = testing::fresh_dir("rel_agreement");
  std::ofstream(dir / "x.csv") << "policy,task,success_rate\na,t,0.5\nb,t,0.5\n";
  const auto r = testing::run_process({testing::gauntlet_binary(), "agreement",
                                       (dir / "x.csv").string(), (dir / "x.csv").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("agreement:"));
  CHECK(r.err.find("agreement: agreement:") == std::string::npos);
}

TEST_CASE("Fuzz: damaged trial CSVs give a table or an invalid_argument",
          "[reliability][fuzz][csv]") {
  const std::string good =
      "policy,task,episode,success\n\"pi 0\",t1,0,1\npi0,t1,1,0\nrt1,t2,0,1\nrt1,t2,1,1\n";
  std::mt19937_64 rng(12);
  int errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = good;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
      const std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0:
          b[at] = static_cast<char>(rng());
          break;
        case 1:
          b.erase(at, 1 + rng() % 8);
          break;
        default:
          b.insert(at, rng() % 2 ? "\"" : ",\r\n\xEF\xBB\xBF");
      }
      if (b.empty()) b = ",";
    }
    try {
      metrics::parse_evaluation_csv(b, "t.csv");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).size() < 1000);
      ++errors;
    }
  }
  CHECK(errors > 0);
}
