// The `remote:ws://HOST:PORT` policy: a client for openpi-style websocket
// policy servers (how large VLAs are served), with timeouts, reconnection
// with backoff, and one retry of the items a lost connection interrupted.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/remote/msgpack_codec.hpp"
#include "harness/policy.hpp"

namespace gauntlet::adapters {

class WebsocketClient;

struct RemoteOptions {
  std::string uri;
  RemoteKeys keys;
  int image_width = 0;  // 0: the suite's resolution
  int image_height = 0;
  double timeout_s = 30.0;          // per reply
  double connect_timeout_s = 10.0;  // per connection attempt
  double reconnect_s = 30.0;        // how long one outage is retried with backoff
  bool probe = true;                // a load-time request checks the reply shape
  std::string identity;             // overrides the derived identity when set
};

class RemotePolicy final : public Policy {
 public:
  // Connects and reads the server's metadata; InputError when unreachable.
  explicit RemotePolicy(RemoteOptions options);
  ~RemotePolicy() override;

  PolicyRequirements requirements() const override;
  void prepare(int slots, const ActionSpace& space) override;
  void reset(int slot, const EpisodeContext& ctx) override;
  // Sends every request at once (pipelined on the one connection), then reads
  // the replies in order. A text frame fails that item with the server's
  // traceback; a lost connection or a timeout fails nothing yet: the affected
  // items are sent again once after reconnecting, then fail as policy_error.
  void act(std::span<const int> slots, std::span<const Observation* const> obs,
           std::span<ActionChunk> out) override;
  std::string identity() const override { return identity_; }

  const std::string& metadata() const { return metadata_; }
  // Sum over the last act()'s items of the server's own inference time (ms),
  // or a negative number when the server does not report server_timing.
  double last_server_infer_ms() const { return last_server_infer_ms_; }
  int reconnects() const { return reconnects_; }

 private:
  // Reads the metadata message of a fresh connection.
  std::string read_metadata();
  // Connects if needed: with backoff while the outage is younger than
  // reconnect_s, a single attempt after that. False with `why` on failure.
  bool ensure_connected(std::string& why);
  // One round of sends and receives for `items`; returns those to retry.
  std::vector<std::size_t> exchange(const std::vector<std::size_t>& items,
                                    std::span<ActionChunk> out, std::vector<std::string>& failure);

  RemoteOptions options_;
  std::unique_ptr<WebsocketClient> client_;
  std::string metadata_;
  std::string identity_;
  ActionSpace space_;
  std::vector<std::string> prompts_;
  std::vector<std::uint64_t> seeds_;  // per slot: the episode's seed
  std::vector<std::string> requests_;
  std::optional<std::chrono::steady_clock::time_point> outage_since_;
  double last_server_infer_ms_ = -1.0;
  int reconnects_ = 0;
};

}  // namespace gauntlet::adapters
