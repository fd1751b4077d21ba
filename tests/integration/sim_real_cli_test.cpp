// `gauntlet import` and `gauntlet sim-real` through the binary: trial CSVs and LeRobot's
// eval_info.json become results files that report/compare/leaderboard read; malformed CSVs are
// exit 2 with file:line:column; sim-real's numbers are SimplerEnv's definitions.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/results_store.hpp"
#include "metrics/correlation.hpp"
#include "metrics/sim_real.hpp"
#include "metrics/two_by_two.hpp"
#include "metrics/unconditional_exact.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using testing::fresh_dir;
using testing::run_process;

namespace {

testing::ProcessResult gauntlet_cmd(const std::vector<std::string>& args) {
  std::vector<std::string> full{testing::gauntlet_binary()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full);
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// RFC 4180 records of a whole file (the report's episodes.csv).
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else if (c != '\r') {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

struct Trial {
  std::string policy, task;
  int episode;
  std::uint64_t seed;
  bool success;
  double progress;
  friend bool operator==(const Trial&, const Trial&) = default;
};

// A deterministic trial table: policy p succeeds on task t, episode e by a fixed pattern.
std::vector<Trial> trial_table(const std::vector<std::string>& policies,
                               const std::vector<std::string>& tasks, int episodes,
                               const std::vector<std::vector<int>>& successes) {
  std::vector<Trial> out;
  for (std::size_t p = 0; p < policies.size(); ++p) {
    for (std::size_t t = 0; t < tasks.size(); ++t) {
      for (int e = 0; e < episodes; ++e) {
        const bool s = ((e * 7 + static_cast<int>(p)) % episodes) < successes[p][t];
        out.push_back({policies[p], tasks[t], e, 1000u + static_cast<std::uint64_t>(e), s,
                       s ? 1.0 : (e % 2 ? 0.25 : 0.0)});
      }
    }
  }
  return out;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string trials_csv(const std::vector<Trial>& trials) {
  std::string csv =
      "\xEF\xBB\xBFpolicy,task,episode,success,progress,seed,operator,timestamp,notes\r\n";
  for (const auto& t : trials) {
    char prog[32];
    std::snprintf(prog, sizeof prog, "%g", t.progress);
    csv += quoted(t.policy) + "," + t.task + "," + std::to_string(t.episode) + "," +
           (t.success ? "1" : "0") + "," + (t.success ? "" : prog) + "," + std::to_string(t.seed) +
           "," + (t.episode % 2 ? "alice" : "bob") +
           ",2024-05-01T10:" + (t.episode < 10 ? "0" : "") + std::to_string(t.episode) + ":00Z," +
           (t.episode == 1 ? "\"gripper slipped, \"\"twice\"\"\nretried\"" : "") + "\r\n";
  }
  return csv;
}

double rate_of(const std::vector<Trial>& trials, const std::string& policy,
               const std::string& task) {
  double k = 0, n = 0;
  for (const auto& t : trials) {
    if (t.policy == policy && t.task == task) {
      k += t.success;
      ++n;
    }
  }
  return k / n;
}

}  // namespace

TEST_CASE("Imported trials round-trip: CSV to results files to the report's episodes.csv",
          "[cli][import]") {
  const auto dir = fresh_dir("import_round_trip");
  const std::vector<std::string> policies{"rt-1", "octo, \"base\"", "openvla"};
  const auto trials = trial_table(policies, {"coke_can", "drawer"}, 6, {{5, 3}, {2, 4}, {6, 0}});
  write(dir / "trials.csv", trials_csv(trials));
  auto r =
      gauntlet_cmd({"import", (dir / "trials.csv").string(), "--out", (dir / "real").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir / "real")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 3);
  const RunResults rt1 = ResultsStore::read(dir / "real" / "rt-1.h5");
  CHECK(rt1.header.backend == "real");
  CHECK(rt1.header.policy_name == "rt-1");
  CHECK(rt1.header.hosts == "alice,bob");  // operators
  CHECK(rt1.header.started_at == "2024-05-01T10:00:00Z");
  CHECK(rt1.header.updated_at == "2024-05-01T10:05:00Z");
  CHECK(rt1.header.suite_hash.size() == 64);

  std::vector<std::string> args{"report"};
  args.insert(args.end(), files.begin(), files.end());
  for (const auto& a : {"--out", "R", "--format", "csv"}) args.emplace_back(a);
  args[args.size() - 3] = (dir / "report").string();
  r = gauntlet_cmd(args);
  REQUIRE(r.exit_code == 0);
  const auto rows = parse_csv(testing::read_file(dir / "report" / "episodes.csv"));
  REQUIRE(rows.size() == trials.size() + 1);
  const auto& head = rows[0];
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  std::vector<Trial> back;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& x = rows[i];
    back.push_back({x[col("policy")], x[col("task")], std::stoi(x[col("episode")]),
                    std::stoull(x[col("seed")]), x[col("success")] == "1",
                    std::stod(x[col("progress")])});
  }
  auto sorted = [](std::vector<Trial> v) {
    std::sort(v.begin(), v.end(), [](const Trial& a, const Trial& b) {
      return std::tie(a.policy, a.task, a.episode) < std::tie(b.policy, b.task, b.episode);
    });
    return v;
  };
  CHECK(sorted(back) == sorted(trials));

  // compare and leaderboard read imported runs like any other.
  r = gauntlet_cmd({"compare", "--baseline", (dir / "real" / "rt-1.h5").string(), "--candidate",
                    (dir / "real" / "openvla.h5").string()});
  INFO(r.out << r.err);
  CHECK((r.exit_code == 0 || r.exit_code == 1));
  args = {"leaderboard"};
  args.insert(args.end(), files.begin(), files.end());
  args.push_back("--out");
  args.push_back((dir / "board").string());
  r = gauntlet_cmd(args);
  CHECK(r.exit_code == 0);

  // Files written before the backend attribute existed read as "sim".
  const auto old = dir / "old.h5";
  std::filesystem::copy_file(dir / "real" / "rt-1.h5", old);
  const auto py = run_process({GAUNTLET_PYTHON, "-c",
                               "import h5py,sys; f=h5py.File(sys.argv[1],'a'); "
                               "del f.attrs['backend']; f.close()",
                               old.string()});
  REQUIRE(py.exit_code == 0);
  CHECK(ResultsStore::read(old).header.backend == "sim");
}

TEST_CASE("A malformed trial CSV is exit 2 naming file, line and column, outputs stay intact",
          "[cli][import][bad-input]") {
  const auto dir = fresh_dir("import_bad");
  const std::string head = "policy,task,episode,success\n";
  struct Case {
    std::string name, text, where, what;
  };
  const std::vector<Case> cases = {
      {"missing column", "policy,task,episode\nA,t,0\n", ":1:1:", "lacks the column 'success'"},
      {"success not 0/1", head + "A,t,0,1\nA,t,1,yes\n",
       ":3:7:", "column 'success' is 'yes', expected 0 or 1"},
      {"duplicate episode", head + "A,t,0,1\nA,t,1,0\nA,t,0,0\n", ":4:5:", "already on line 2"},
      {"UTF-16", std::string("\xFF\xFEp\0o\0", 6), ":1:1:", "UTF-16"},
      {"huge field", "policy,task,episode,success,notes\nA,t,0,1," + std::string(70000, 'x') + "\n",
       ":2:9:", "longer than 65536 bytes"},
      {"quote inside unquoted field", head + "A,t\"x,0,1\n", ":2:4:", "bad quoting"},
      {"unterminated quote", head + "A,\"t,0,1\n", ":2:3:", "never closed"},
      {"text after closing quote", head + "A,\"t\"x,0,1\n", ":2:6:", "after the closing '\"'"},
      {"extra field", head + "A,t,0,1,extra\n", ":2:9:", "this row has 5 fields"},
      {"line count across a quoted newline",
       "policy,task,episode,success,notes\nA,t,0,1,\"x\ny\"\nA,t,1,2,\n",
       ":4:7:", "column 'success'"},
      {"negative episode", head + "A,t,-1,1\n", ":2:5:", "column 'episode'"},
      {"unknown column", "policy,task,episode,sucess\nA,t,0,1\n", ":1:21:", "unknown column"},
      {"empty policy", head + ",t,0,1\n", ":2:1:", "column 'policy' is empty"},
  };
  // A good import first: a failed one must leave it byte for byte.
  write(dir / "good.csv", head + "A,t,0,1\nA,t,1,0\n");
  const auto out = dir / "out.h5";
  REQUIRE(gauntlet_cmd({"import", (dir / "good.csv").string(), "--out", out.string()}).exit_code ==
          0);
  const std::string before = testing::read_file(out);
  REQUIRE_FALSE(before.empty());
  for (const auto& c : cases) {
    INFO(c.name);
    write(dir / "bad.csv", c.text);
    const auto r =
        gauntlet_cmd({"import", (dir / "bad.csv").string(), "--out", out.string(), "--force"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.csv" + c.where) && Catch::Contains(c.what));
    CHECK(testing::read_file(out) == before);
  }
  // Without --force an existing output is refused before anything is written.
  auto r = gauntlet_cmd({"import", (dir / "good.csv").string(), "--out", out.string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("exists; pass --force"));
  // Several policies into one .h5 file: refused, pointing to --out DIR.
  write(dir / "two.csv", head + "A,t,0,1\nB,t,0,0\n");
  r = gauntlet_cmd({"import", (dir / "two.csv").string(), "--out", (dir / "two.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("holds 2 policies"));
  CHECK_FALSE(std::filesystem::exists(dir / "two.h5"));
  // --backend must be real or sim.
  r = gauntlet_cmd({"import", (dir / "good.csv").string(), "--out", (dir / "b.h5").string(),
                    "--backend", "mujoco"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--backend"));
}

TEST_CASE("LeRobot's eval_info.json imports: per_episode and per_task layouts",
          "[cli][import][lerobot]") {
  const auto dir = fresh_dir("import_lerobot");
  write(dir / "eval_info.json", R"({"per_episode": [
      {"episode_ix": 0, "sum_reward": 12.5, "max_reward": 1.0, "success": true, "seed": 1000},
      {"episode_ix": 1, "sum_reward": 3.0, "max_reward": 0.4, "success": false, "seed": 1001},
      {"episode_ix": 2, "sum_reward": 11.0, "max_reward": 1.0, "success": true, "seed": null}],
    "aggregated": {"avg_sum_reward": 8.83, "avg_max_reward": 0.8, "pc_success": 66.67,
                   "eval_s": 10.0, "eval_ep_s": 3.3},
    "video_paths": []})");
  auto r = gauntlet_cmd({"import", (dir / "eval_info.json").string(), "--policy", "diffusion",
                         "--task", "pusht", "--out", (dir / "d.h5").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const RunResults d = ResultsStore::read(dir / "d.h5");
  CHECK(d.header.policy_name == "diffusion");
  CHECK(d.header.backend == "real");
  REQUIRE(d.episodes.size() == 3);
  CHECK(d.episodes[0].task_id == "pusht");
  CHECK(d.episodes[0].success);
  CHECK_FALSE(d.episodes[1].success);
  CHECK(d.episodes[1].seed == 1001);
  CHECK(d.episodes[2].seed == 0);
  CHECK(d.episodes[0].episode_return == 12.5);

  write(dir / "multi.json", R"({"per_task": [
      {"task_group": "libero_spatial", "task_id": 0,
       "metrics": {"sum_rewards": [1, 0], "max_rewards": [1, 0], "successes": [true, false],
                   "video_paths": []}},
      {"task_group": "libero_spatial", "task_id": 1,
       "metrics": {"sum_rewards": [1, 1, 1], "max_rewards": [1, 1, 1],
                   "successes": [true, true, true], "video_paths": []}}],
    "per_group": {}, "overall": {"pc_success": 80.0, "n_episodes": 5}})");
  r = gauntlet_cmd({"import", (dir / "multi.json").string(), "--policy", "pi0", "--backend", "sim",
                    "--out", (dir / "m.h5").string()});
  REQUIRE(r.exit_code == 0);
  const RunResults m = ResultsStore::read(dir / "m.h5");
  CHECK(m.header.backend == "sim");
  REQUIRE(m.header.tasks.size() == 2);
  CHECK(m.header.tasks[1].id == "libero_spatial_1");
  CHECK(m.episodes.size() == 5);

  r = gauntlet_cmd({"import", (dir / "eval_info.json").string(), "--task", "pusht", "--out",
                    (dir / "x.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("eval_info.json") && Catch::Contains("--policy"));
  write(dir / "bad.json", R"({"per_episode": [{"episode_ix": 0, "success": "yes"}]})");
  r = gauntlet_cmd({"import", (dir / "bad.json").string(), "--policy", "p", "--task", "t", "--out",
                    (dir / "y.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.json: per_episode[0].success"));
  write(dir / "broken.json", "{\"per_episode\": [");
  r = gauntlet_cmd({"import", (dir / "broken.json").string(), "--policy", "p", "--task", "t",
                    "--out", (dir / "z.h5").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("broken.json: not valid JSON"));
}

TEST_CASE("sim-real reports SimplerEnv's per-task Pearson and MMRV, their means, and exact tests",
          "[cli][sim-real]") {
  const auto dir = fresh_dir("sim_real_cli");
  const std::vector<std::string> policies{"a", "b", "c", "d"};
  const std::vector<std::string> tasks{"coke_can", "drawer"};
  const auto sim = trial_table(policies, tasks, 10, {{9, 2}, {6, 5}, {4, 7}, {1, 1}});
  const auto real = trial_table(policies, tasks, 10, {{8, 1}, {7, 3}, {2, 6}, {2, 0}});
  write(dir / "sim.csv", trials_csv(sim));
  write(dir / "real.csv", trials_csv(real));
  REQUIRE(gauntlet_cmd({"import", (dir / "sim.csv").string(), "--backend", "sim", "--out",
                        (dir / "sim").string()})
              .exit_code == 0);
  REQUIRE(gauntlet_cmd({"import", (dir / "real.csv").string(), "--out", (dir / "real").string()})
              .exit_code == 0);
  auto r =
      gauntlet_cmd({"sim-real", "--sim", (dir / "sim").string(), "--real", (dir / "real").string(),
                    "--out", (dir / "out").string(), "--json", "--resamples", "300"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  double pearson_sum = 0, mmrv_sum = 0;
  for (const auto& task : tasks) {
    std::vector<double> s, q;
    for (const auto& p : policies) {
      s.push_back(rate_of(sim, p, task));
      q.push_back(rate_of(real, p, task));
    }
    INFO(task);
    const auto& t = j["tasks"][task];
    CHECK(t["pearson"].get<double>() == Approx(metrics::simpler_pearson(s, q)).margin(1e-12));
    CHECK(t["mmrv"].get<double>() ==
          Approx(metrics::mean_maximum_rank_violation(s, q)).margin(1e-12));
    CHECK(t["mmrv_real_sim"].get<double>() ==
          Approx(metrics::mean_maximum_rank_violation(q, s)).margin(1e-12));
    CHECK(t["pearson_interval"].size() == 2);
    pearson_sum += metrics::simpler_pearson(s, q);
    mmrv_sum += metrics::mean_maximum_rank_violation(s, q);
  }
  CHECK(j["overall"]["pearson"].get<double>() == Approx(pearson_sum / 2).margin(1e-12));
  CHECK(j["overall"]["mmrv"].get<double>() == Approx(mmrv_sum / 2).margin(1e-12));
  CHECK(j["pooled"]["points"] == 8);
  REQUIRE(j["policy_tests"].size() == 4);
  for (const auto& pt : j["policy_tests"]) {
    const std::int64_t ks = pt["sim"]["successes"], ns = pt["sim"]["trials"];
    const std::int64_t kr = pt["real"]["successes"], nr = pt["real"]["trials"];
    const double p =
        metrics::boschloo_exact(metrics::TwoByTwo::from_proportions(ks, ns, kr, nr)).p_value;
    CHECK(pt["p_value"].get<double>() == Approx(p).margin(1e-12));
  }
  const std::string html = testing::read_file(dir / "out" / "sim_real.html");
  CHECK_THAT(html, Catch::Contains("<svg") && Catch::Contains("Calibration"));
  std::size_t cells = 0;
  for (std::size_t at = 0; (at = html.find("<g class=\"cell\">", at)) != std::string::npos; ++at) {
    ++cells;
  }
  CHECK(cells == 8);

  // agreement on the same files adds SimplerEnv's per-task mean to its pooled numbers.
  r = gauntlet_cmd({"agreement", (dir / "sim").string(), (dir / "real").string(), "--json",
                    "--resamples", "100"});
  REQUIRE(r.exit_code == 0);
  const auto a = nlohmann::json::parse(r.out);
  CHECK(a["task_mean"]["pearson"].get<double>() == Approx(pearson_sum / 2).margin(1e-12));
  CHECK(a["tasks"]["drawer"]["mmrv"].get<double>() == j["tasks"]["drawer"]["mmrv"].get<double>());
  CHECK(a.contains("pearson"));  // the old pooled numbers stay

  // A policy given twice on one side is refused.
  r = gauntlet_cmd({"sim-real", "--sim", (dir / "sim" / "a.h5").string(),
                    (dir / "sim" / "a.h5").string(), "--real", (dir / "real").string(), "--out",
                    (dir / "out2").string()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("both hold policy 'a'"));
}
