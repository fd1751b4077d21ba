// The `remote:ws://HOST:PORT[|ws://HOST2:PORT...]` policy: a client for
// openpi-style websocket policy servers (how large VLAs are served), with
// timeouts, reconnection with backoff, and one retry of the items a lost
// connection interrupted. With several servers, each batch is spread across the
// live ones in parallel and the items of a server that dies go to the others.
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
  std::string uri;                // as given: one URI or several joined by '|'
  std::vector<std::string> uris;  // the servers; empty: {uri}
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

  // Requests answered by each server (in the order given), for load-spreading checks.
  std::vector<long> calls_per_server() const;
  // Batches whose items moved to another server after theirs was lost.
  int failovers() const { return failovers_; }

 private:
  struct Server {
    std::string uri;
    std::unique_ptr<WebsocketClient> client;
    std::optional<std::chrono::steady_clock::time_point> outage_since;
    std::chrono::steady_clock::time_point next_try{};  // multi-server: when a dead one is retried
    double retry_gap_s = 0.5;
    long calls = 0;
  };
  // Reads the metadata message of a fresh connection.
  std::string read_metadata(Server& server);
  // Connects if needed: with backoff while the outage is younger than
  // reconnect_s, a single attempt after that. False with `why` on failure.
  bool ensure_connected(Server& server, std::string& why);
  // Multi-server: one connection attempt, at most every retry_gap_s (doubling).
  bool try_revive(Server& server, std::string& why);
  // One round of sends and receives for `items` on `server`; returns those to retry.
  std::vector<std::size_t> exchange(Server& server, const std::vector<std::size_t>& items,
                                    std::span<ActionChunk> out, std::vector<std::string>& failure,
                                    double& server_ms);

  RemoteOptions options_;
  std::vector<Server> servers_;
  std::size_t next_server_ = 0;  // round-robin start of the next batch
  std::string metadata_;
  std::string identity_;
  ActionSpace space_;
  std::vector<std::string> prompts_;
  std::vector<std::uint64_t> seeds_;  // per slot: the episode's seed
  std::vector<std::string> requests_;
  double last_server_infer_ms_ = -1.0;
  int reconnects_ = 0;
  int failovers_ = 0;
};

}  // namespace gauntlet::adapters
