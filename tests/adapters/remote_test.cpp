// The remote adapter against real websocket servers on 127.0.0.1
// (examples/policy_server/openpi_server.py in child processes): the openpi
// wire format, load-time probes, server tracebacks, timeouts, a server that
// dies mid-run, with and without a restart.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "adapters/remote/msgpack_codec.hpp"
#include "adapters/remote/register.hpp"
#include "adapters/remote/remote_policy.hpp"
#include "harness/errors.hpp"
#include "harness/registry.hpp"
#include "tests/adapters/adapter_test_support.hpp"
#include "tests/support/process.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

const std::vector<std::string> kPaths = {adapter_test_data().string()};

std::unique_ptr<Policy> make(const std::string& spec) {
  Registry r;
  adapters::register_remote_policy(r);
  return r.make_policy(PolicySpec::parse(spec));
}

std::vector<ActionChunk> act(Policy& p, const std::vector<int>& slots,
                             const std::vector<Observation>& obs) {
  std::vector<const Observation*> ptrs;
  for (const auto& o : obs) ptrs.push_back(&o);
  std::vector<ActionChunk> out(obs.size());
  p.act(slots, ptrs, out);
  return out;
}

// A port nothing listens on (bound, then released).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("Requests carry the openpi keys and numpy arrays, and replies become chunks",
          "[remote][protocol]") {
  PolicyServerProcess server("gauntlet_test_policies:Echo", {}, kPaths);
  auto policy = make("remote:" + server.uri() + ",image_size=16x8");
  const PolicyRequirements req = policy->requirements();
  CHECK(req.cameras == std::vector<std::string>{"agentview", "wrist"});
  CHECK(req.image_width == 16);
  policy->prepare(2, ee_delta_action_space());
  EpisodeSpec spec;
  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = "open the drawer";
  policy->reset(1, ctx);
  std::vector<Observation> obs = {
      make_observation({0.5f, -0.25f, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 16, 8)};
  for (auto& px : obs[0].cameras[0].image.rgb) px = 40;
  for (auto& px : obs[0].cameras[1].image.rgb) px = 7;
  const auto out = act(*policy, {1}, obs);
  REQUIRE(out[0].error.empty());
  REQUIRE(out[0].horizon == 2);
  REQUIRE(out[0].dim == 7);
  CHECK(out[0].action(0)[0] == 40.0f);
  CHECK(out[0].action(0)[1] == 7.0f);
  CHECK(out[0].action(0)[2] == 0.5f);
  CHECK(out[0].action(0)[3] == -0.25f);
  CHECK(out[0].action(0)[4] == 15.0f);  // strlen("open the drawer")
  CHECK(out[0].action(1)[6] == 0.001f);
  auto* remote = dynamic_cast<adapters::RemotePolicy*>(policy.get());
  REQUIRE(remote);
  CHECK_THAT(remote->metadata(), Catch::Contains("gauntlet_test_policies:Echo"));
  CHECK(remote->last_server_infer_ms() >= 0.0);
}

TEST_CASE("Keys and cameras are configurable and 'none' leaves them out", "[remote][protocol]") {
  PolicyServerProcess server("gauntlet_test_policies:Echo", {}, kPaths);
  auto policy = make("remote:" + server.uri() + ",wrist_camera=none,state_key=none,camera=wrist");
  CHECK(policy->requirements().cameras == std::vector<std::string>{"wrist"});
  policy->prepare(1, ee_delta_action_space());
  std::vector<Observation> obs = {
      make_observation({0.5f, 0.5f, 0, 0, 0, 0, 0, 0}, {"wrist"}, 8, 8)};
  for (auto& px : obs[0].cameras[0].image.rgb) px = 9;
  const auto out = act(*policy, {0}, obs);
  REQUIRE(out[0].error.empty());
  CHECK(out[0].action(0)[0] == 9.0f);  // the wrist camera under observation/image
  CHECK(out[0].action(0)[2] == 0.0f);  // no state sent
  CHECK_THROWS_AS(make("remote:" + server.uri() + ",image_size=big"), InputError);
  CHECK_THROWS_AS(make("remote:" + server.uri() + ",timeout=-1"), InputError);
  CHECK_THROWS_AS(make("remote:http://127.0.0.1:1"), InputError);
}

TEST_CASE("seed_key sends each slot's episode seed, so a stochastic server can seed per episode",
          "[remote][protocol][seed]") {
  PolicyServerProcess server("gauntlet_test_policies:Echo", {}, kPaths);
  auto plain = make("remote:" + server.uri());
  auto seeded = make("remote:" + server.uri() + ",seed_key=seed");
  CHECK(plain->identity() != seeded->identity());
  for (Policy* p : {plain.get(), seeded.get()}) p->prepare(2, ee_delta_action_space());
  EpisodeSpec first, second;
  first.seed = 7123456;
  second.seed = 9000789;
  EpisodeContext c0, c1;
  c0.spec = &first;
  c1.spec = &second;
  seeded->reset(0, c0);
  seeded->reset(1, c1);
  plain->reset(0, c0);
  std::vector<Observation> obs = {
      make_observation({0, 0, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 8, 8),
      make_observation({0, 0, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 8, 8)};
  const auto out = act(*seeded, {0, 1}, obs);
  REQUIRE(out[0].error.empty());
  REQUIRE(out[1].error.empty());
  CHECK(out[0].action(0)[6] == 456.0f);  // 7123456 % 1000, from slot 0's episode
  CHECK(out[1].action(0)[6] == 789.0f);
  const auto without = act(*plain, {0}, {obs[0]});
  REQUIRE(without[0].error.empty());
  CHECK(without[0].action(0)[6] == 0.0f);  // not sent unless asked for
}

TEST_CASE("The identity follows the server's metadata unless declared", "[remote][identity]") {
  PolicyServerProcess echo("gauntlet_test_policies:Echo", {}, kPaths);
  PolicyServerProcess sleepy("gauntlet_test_policies:Sleepy", {"seconds=0"}, kPaths);
  const std::string a = make("remote:" + echo.uri())->identity();
  CHECK(make("remote:" + echo.uri())->identity() == a);
  CHECK(make("remote:" + echo.uri() + ",image_size=64x64")->identity() != a);
  CHECK(make("remote:" + sleepy.uri() + ",probe=false")->identity() != a);
  CHECK(make("remote:" + echo.uri() + ",identity=pi0-libero-step30000")->identity() ==
        make("remote:" + sleepy.uri() + ",identity=pi0-libero-step30000")->identity());
}

TEST_CASE(
    "A server that cannot be reached, or answers the probe with the wrong shape, is an input error",
    "[remote][errors]") {
  const int port = closed_port();
  CHECK_THROWS_WITH(make("remote:ws://127.0.0.1:" + std::to_string(port) + ",connect_timeout=2"),
                    Catch::Contains("cannot connect to ws://127.0.0.1:" + std::to_string(port)) &&
                        Catch::Contains("is the policy server running?"));
  PolicyServerProcess server("gauntlet_test_policies:SixDims", {}, kPaths);
  auto policy = make("remote:" + server.uri());
  CHECK_THROWS_WITH(policy->prepare(1, ee_delta_action_space()),
                    Catch::Contains("shape (1, 6)") && Catch::Contains("7 components"));
  auto unchecked = make("remote:" + server.uri() + ",probe=false");
  CHECK_NOTHROW(unchecked->prepare(1, ee_delta_action_space()));
}

TEST_CASE("A server traceback (text frame) ends only that episode, and the others carry on",
          "[remote][errors]") {
  PolicyServerProcess server("gauntlet_test_policies:RaiseOnWord", {"word=drawer"}, kPaths);
  auto policy = make("remote:" + server.uri());
  const auto rows = run_smoke(*policy, 2, 2);
  int errors = 0;
  for (const auto& r : rows) {
    INFO(r.task_id << ": " << r.error);
    if (r.task_id == "open-the-drawer") {
      ++errors;
      CHECK(r.termination == Termination::kPolicyError);
      CHECK_THAT(r.error, Catch::Contains("Traceback (most recent call last)"));
      CHECK_THAT(r.error, Catch::Contains("ValueError: no policy for open the drawer"));
    } else {
      CHECK(r.termination == Termination::kTimeout);
    }
  }
  CHECK(errors == 2);
}

TEST_CASE("A reply that takes longer than timeout= fails the item after one retry",
          "[remote][errors]") {
  PolicyServerProcess server("gauntlet_test_policies:Sleepy", {"seconds=1.5"}, kPaths);
  auto policy = make("remote:" + server.uri() + ",timeout=0.3,probe=false");
  policy->prepare(1, ee_delta_action_space());
  const auto t0 = std::chrono::steady_clock::now();
  const auto out =
      act(*policy, {0}, {make_observation({0, 0, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 8, 8)});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_THAT(out[0].error, Catch::Contains("no reply within 300 ms"));
  CHECK_THAT(out[0].error, Catch::Contains("sent again once"));
  CHECK(s < 5.0);
}

TEST_CASE(
    "A server that dies mid-run and comes back: in-flight requests are retried, no episode is lost",
    "[remote][crash]") {
  const auto dir = process_dir("remote-restart");
  const std::string flag = (dir / "die").string();
  std::ofstream(flag) << "1";
  auto first = std::make_unique<PolicyServerProcess>(
      "gauntlet_test_policies:DieOnce", std::vector<std::string>{"calls=40", "flag=" + flag},
      kPaths);
  const int port = first->port();
  auto policy = make("remote:" + first->uri() + ",reconnect=30");
  std::unique_ptr<PolicyServerProcess> second;
  std::thread restarter([&] {
    CHECK(first->wait() == 3);  // it died by itself, mid-run
    second = std::make_unique<PolicyServerProcess>(
        "gauntlet_test_policies:DieOnce", std::vector<std::string>{"calls=40", "flag=" + flag},
        kPaths, port);
  });
  const auto rows = run_smoke(*policy, 1, 2);
  restarter.join();
  CHECK_FALSE(std::filesystem::exists(flag));
  for (const auto& r : rows) {
    INFO(r.task_id << ": " << r.error);
    CHECK(r.termination == Termination::kTimeout);  // zeros: every episode ran to its end
  }
  CHECK(dynamic_cast<adapters::RemotePolicy*>(policy.get())->reconnects() >= 1);
}

TEST_CASE(
    "A server that dies for good ends the affected episodes as policy_error and the run finishes",
    "[remote][crash]") {
  const auto dir = process_dir("remote-dead");
  const std::string flag = (dir / "die").string();
  std::ofstream(flag) << "1";
  PolicyServerProcess server("gauntlet_test_policies:DieOnce", {"calls=30", "flag=" + flag},
                             kPaths);
  auto policy = make("remote:" + server.uri() + ",reconnect=1,connect_timeout=1");
  const auto t0 = std::chrono::steady_clock::now();
  const auto rows = run_smoke(*policy, 2, 2);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(server.wait() == 3);
  int failed = 0;
  for (const auto& r : rows) {
    INFO(r.task_id << " " << r.episode_index << ": " << r.error);
    if (r.termination == Termination::kPolicyError) {
      ++failed;
      CHECK_THAT(r.error, Catch::Contains(server.uri()));
      CHECK_THAT(r.error, Catch::Contains("cannot connect") || Catch::Contains("unreachable"));
    }
  }
  CHECK(failed == static_cast<int>(rows.size()));  // request 30 comes before any episode ends
  CHECK(s < 30.0);                                 // after the first outage window, calls fail fast
}

TEST_CASE("Several servers share the calls, and when one dies the other takes its episodes",
          "[remote][crash][multi]") {
  const auto dir = process_dir("remote-multi");
  const std::string flag = (dir / "die").string();
  std::ofstream(flag) << "1";
  // Same policy and arguments (same metadata); whichever answers its 15th request
  // first removes the flag and exits for good, the other lives on.
  const std::vector<std::string> args{"calls=15", "flag=" + flag};
  PolicyServerProcess a("gauntlet_test_policies:DieOnce", args, kPaths);
  PolicyServerProcess b("gauntlet_test_policies:DieOnce", args, kPaths);
  // reconnect=300: a lone server would be waited for 300 s; with two, no wait.
  // (The bound below is that wait, not a speed target: a loaded machine
  // may run the episodes slowly, never 300 s slowly.)
  auto policy = make("remote:" + a.uri() + "|" + b.uri() + ",reconnect=300,connect_timeout=1");
  auto* remote = dynamic_cast<adapters::RemotePolicy*>(policy.get());
  REQUIRE(remote != nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const auto rows = run_smoke(*policy, 1, 2);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_FALSE(std::filesystem::exists(flag));  // one server died mid-run
  for (const auto& r : rows) {
    INFO(r.task_id << " " << r.episode_index << ": " << r.error);
    CHECK(r.termination == Termination::kTimeout);  // zeros: every episode ran to its end
  }
  const auto calls = remote->calls_per_server();
  REQUIRE(calls.size() == 2);
  INFO("calls per server: " << calls[0] << ", " << calls[1]);
  CHECK(std::min(calls[0], calls[1]) >= 13);  // both served until one died (15th call, probe 1st)
  CHECK(calls[0] + calls[1] > 100);           // and the survivor served the rest
  CHECK(remote->failovers() >= 1);
  CHECK(s < 300.0);

  // Every server of one spec must serve the same policy; bad lists are input errors.
  const std::string alive = calls[0] > calls[1] ? a.uri() : b.uri();
  PolicyServerProcess other("gauntlet_test_policies:Echo", {}, kPaths);
  CHECK_THROWS_WITH(make("remote:" + alive + "|" + other.uri()),
                    Catch::Contains("serves another policy"));
  CHECK_THROWS_WITH(make("remote:" + alive + "|"), Catch::Contains("empty server"));
  CHECK_THROWS_WITH(make("remote:" + alive + "|" + alive), Catch::Contains("listed twice"));
}

TEST_CASE("The msgpack codec reads ndarray maps with bytes or str keys and nested lists",
          "[remote][protocol]") {
  // What Python's msgpack.packb({"actions": [[1, 2], [3, 4]]}) produces: a fixmap
  // with one str key and a 2x2 array of positive fixints.
  const std::string nested = std::string(
      "\x81\xa7"
      "actions"
      "\x92\x92\x01\x02\x92\x03\x04",
      16);
  const auto r = adapters::decode_reply(nested);
  CHECK(r.horizon == 2);
  CHECK(r.dim == 2);
  CHECK(r.actions == std::vector<float>{1, 2, 3, 4});
  CHECK_THROWS_WITH(adapters::decode_reply(std::string("\x81\xa1"
                                                       "a"
                                                       "\x01",
                                                       4)),
                    Catch::Contains("no 'actions'"));
  CHECK_THROWS_WITH(adapters::decode_reply("\xc1"), Catch::Contains("not valid msgpack"));
  CHECK_THROWS_WITH(adapters::decode_reply(nested + "x"),
                    Catch::Contains("1 bytes after the first object"));
}

TEST_CASE("The conversion options every adapter takes apply to a remote policy",
          "[remote][policy_io]") {
  PolicyServerProcess server("gauntlet_test_policies:Echo", {}, kPaths);
  // Rendered 16 x 8, padded into 4 x 12 (scaled to 8 x 4, 2 black columns each
  // side), actions doubled: Echo's image mean 40 * 32 / 48, times 2.
  auto policy = make("remote:" + server.uri() +
                     ",image_size=16x8,resize_with_pad=4,12,flip=180,actions=raw,action_scale=2");
  CHECK(policy->requirements().image_width == 16);
  policy->prepare(1, ee_delta_action_space());
  EpisodeSpec spec;
  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = "open";
  policy->reset(0, ctx);
  std::vector<Observation> obs = {
      make_observation({0.5f, -0.25f, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 16, 8)};
  for (auto& px : obs[0].cameras[0].image.rgb) px = 40;
  const auto out = act(*policy, {0}, obs);
  REQUIRE(out[0].error.empty());
  CHECK(out[0].action(0)[0] == Approx(2.0 * 40.0 * 32.0 / 48.0));
  CHECK(out[0].action(0)[2] == 1.0f);
  CHECK(out[0].action(0)[3] == -0.5f);
  CHECK(out[0].action(1)[6] == 0.002f);
}
