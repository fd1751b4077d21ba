// examples/policy_server/openpi_server.py as openpi's own server behaves: the
// /healthz probe, and openpi-style infer(obs) -> dict policies, over real sockets.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/remote/register.hpp"
#include "adapters/remote/remote_policy.hpp"
#include "harness/registry.hpp"
#include "tests/adapters/adapter_test_support.hpp"

using namespace gauntlet;
using namespace gauntlet::testing;

namespace {

const std::vector<std::string> kPaths = {adapter_test_data().string()};

// One plain HTTP/1.1 GET over a TCP socket; the whole response.
std::string http_get(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

std::unique_ptr<Policy> make(const std::string& spec) {
  Registry r;
  adapters::register_remote_policy(r);
  return r.make_policy(PolicySpec::parse(spec));
}

}  // namespace

TEST_CASE("The policy server answers GET /healthz with 200 OK as openpi's does",
          "[remote][policy-server]") {
  PolicyServerProcess server("gauntlet_test_policies:Echo", {}, kPaths);
  const std::string r = http_get(server.port(), "/healthz");
  INFO(r);
  CHECK_THAT(r, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(r, Catch::EndsWith("\r\n\r\nOK\n"));
  // Any other plain request still asks for a websocket upgrade.
  CHECK_THAT(http_get(server.port(), "/"), Catch::StartsWith("HTTP/1.1 426"));
  // And the server still serves policies after the probes.
  auto policy = make("remote:" + server.uri());
  CHECK_THAT(dynamic_cast<adapters::RemotePolicy&>(*policy).metadata(),
             Catch::Contains("gauntlet_test_policies:Echo"));
}

TEST_CASE("The policy server serves an openpi-style infer(obs) -> dict policy",
          "[remote][policy-server]") {
  PolicyServerProcess server("gauntlet_test_policies:OpenpiInfer", {}, kPaths);
  auto policy = make("remote:" + server.uri() + ",image_size=8x8");
  auto& remote = dynamic_cast<adapters::RemotePolicy&>(*policy);
  CHECK_THAT(remote.metadata(), Catch::Contains("openpi-infer-test"));  // the policy's metadata
  policy->prepare(1, ee_delta_action_space());
  EpisodeSpec spec;
  EpisodeContext ctx;
  ctx.spec = &spec;
  ctx.instruction = "open the drawer";
  policy->reset(0, ctx);
  std::vector<Observation> obs = {
      make_observation({0.25f, 0, 0, 0, 0, 0, 0, 0}, {"agentview", "wrist"}, 8, 8)};
  for (auto& px : obs[0].cameras[0].image.rgb) px = 33;
  std::vector<const Observation*> ptrs{&obs[0]};
  std::vector<ActionChunk> out(1);
  const std::vector<int> slots{0};
  policy->act(slots, ptrs, out);
  REQUIRE(out[0].error.empty());
  REQUIRE(out[0].horizon == 3);  // the whole chunk infer() returned
  REQUIRE(out[0].dim == 7);
  CHECK(out[0].action(2)[0] == 33.0f);  // from observation/image, as the client sent it
  CHECK(out[0].action(2)[1] == 15.0f);  // len(prompt)
  CHECK(out[0].action(2)[2] == 0.25f);  // observation/state[0]
  CHECK(remote.last_server_infer_ms() >= 0.0);

  // Whole episodes on the smoke suite: every one ends by timeout, none in a policy error.
  const auto rows = run_smoke(*make("remote:" + server.uri()), 1, 1, "open-the-drawer");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].termination == Termination::kTimeout);
  CHECK(rows[0].policy_calls > 0);
  CHECK(rows[0].error.empty());
}
