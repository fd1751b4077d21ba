#include "adapters/remote/remote_policy.hpp"

#include <algorithm>
#include <thread>

#include "adapters/remote/websocket_client.hpp"
#include "harness/errors.hpp"
#include "harness/sha256.hpp"

namespace gauntlet::adapters {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// The observation layout the probe sends: 8 proprio entries, as every
// gauntlet suite has (end-effector position, axis-angle, fingers).
constexpr int kProbeStateDim = 8;

// A server's text (a traceback), cut so that a huge one cannot flood errors.
std::string server_text(const std::string& text, std::size_t limit = 64 * 1024) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "... (" + std::to_string(text.size() - limit) + " more bytes)";
}

}  // namespace

RemotePolicy::RemotePolicy(RemoteOptions options) : options_(std::move(options)) {
  if (options_.uris.empty()) options_.uris = {options_.uri};
  for (const auto& uri : options_.uris) {
    Server server;
    server.uri = uri;
    server.client = std::make_unique<WebsocketClient>();
    std::string metadata;
    try {
      server.client->connect(uri, ms(options_.connect_timeout_s));
      metadata = read_metadata(server);
    } catch (const std::invalid_argument& e) {
      throw InputError("remote policy " + uri + ": " + e.what());
    } catch (const std::runtime_error& e) {
      throw InputError("remote policy " + uri + ": " + std::string(e.what()) +
                       " (is the policy server running?)");
    }
    if (servers_.empty()) {
      metadata_ = metadata;
    } else if (metadata != metadata_) {
      throw InputError("remote policy " + uri + " serves another policy than " +
                       servers_.front().uri + " (metadata " + metadata + " vs " + metadata_ +
                       "); every server of one spec must serve the same policy");
    }
    servers_.push_back(std::move(server));
  }
  if (!options_.identity.empty()) {
    identity_ = "remote/1:declared:" + options_.identity;
  } else {
    const RemoteKeys& k = options_.keys;
    identity_ = "remote/1:" +
                sha256_hex("gauntlet-remote-v1|" + options_.uri + "|" + k.image + "=" +
                           k.image_camera + "|" + k.wrist_image + "=" + k.wrist_camera + "|" +
                           k.state + "|" + k.prompt + (k.seed.empty() ? "" : "|seed=" + k.seed) +
                           "|" + std::to_string(options_.image_width) + "x" +
                           std::to_string(options_.image_height) + "|metadata=" + metadata_);
  }
}

RemotePolicy::~RemotePolicy() = default;

std::vector<long> RemotePolicy::calls_per_server() const {
  std::vector<long> out;
  for (const auto& s : servers_) out.push_back(s.calls);
  return out;
}

std::string RemotePolicy::read_metadata(Server& server) {
  const WebsocketClient::Message m = server.client->receive(ms(options_.connect_timeout_s));
  if (!m.binary)
    throw std::runtime_error("the server sent text instead of its metadata: " +
                             server_text(m.payload, 1000));
  return describe_message(m.payload);
}

PolicyRequirements RemotePolicy::requirements() const {
  PolicyRequirements r;
  if (!options_.keys.image.empty()) r.cameras.push_back(options_.keys.image_camera);
  if (!options_.keys.wrist_image.empty()) r.cameras.push_back(options_.keys.wrist_camera);
  r.image_width = options_.image_width;
  r.image_height = options_.image_height;
  return r;
}

void RemotePolicy::prepare(int slots, const ActionSpace& space) {
  space_ = space;
  prompts_.assign(static_cast<std::size_t>(slots), std::string());
  seeds_.assign(static_cast<std::size_t>(slots), 0);
  if (!options_.probe) return;
  std::string request;
  const int w = options_.image_width > 0 ? options_.image_width : 128;
  const int h = options_.image_height > 0 ? options_.image_height : 128;
  encode_probe(w, h, kProbeStateDim, options_.keys, request);
  for (auto& server : servers_) {
    const std::string where = "remote policy " + server.uri +
                              ": the load-time probe (zero images of " + std::to_string(w) + "x" +
                              std::to_string(h) +
                              ", zero state, empty prompt; probe=false skips it)";
    try {
      server.client->send_binary(request);
      const WebsocketClient::Message m = server.client->receive(ms(options_.timeout_s));
      if (!m.binary) throw InputError(where + " failed on the server:\n" + server_text(m.payload));
      const RemoteReply r = decode_reply(m.payload);
      if (r.dim != space.dim) {
        throw InputError(where + " got actions of shape (" + std::to_string(r.horizon) + ", " +
                         std::to_string(r.dim) + "); the suite's action space (" +
                         to_string(space.kind) + ") has " + std::to_string(space.dim) +
                         " components");
      }
    } catch (const InputError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw InputError(where + ": " + e.what());
    }
  }
}

void RemotePolicy::reset(int slot, const EpisodeContext& ctx) {
  prompts_.at(static_cast<std::size_t>(slot)) = ctx.instruction;
  seeds_.at(static_cast<std::size_t>(slot)) = ctx.spec ? ctx.spec->seed : 0;
}

bool RemotePolicy::ensure_connected(Server& server, std::string& why) {
  if (server.client->connected()) return true;
  const auto now = Clock::now();
  if (!server.outage_since) server.outage_since = now;
  const bool patient = now - *server.outage_since < ms(options_.reconnect_s);
  const auto deadline = *server.outage_since + ms(options_.reconnect_s);
  double backoff = 0.1;
  while (true) {
    if (try_revive(server, why)) return true;
    if (why.find("serves another policy") != std::string::npos) return false;
    if (!patient || Clock::now() + ms(backoff) > deadline) {
      why +=
          patient ? " (gave up reconnecting after " : " (the server has been unreachable for over ";
      why += std::to_string(static_cast<int>(options_.reconnect_s)) + " s)";
      return false;
    }
    std::this_thread::sleep_for(ms(backoff));
    backoff = std::min(backoff * 2.0, 2.0);
  }
}

bool RemotePolicy::try_revive(Server& server, std::string& why) {
  if (server.client->connected()) return true;
  if (!server.outage_since) server.outage_since = Clock::now();
  try {
    server.client->connect(server.uri, ms(options_.connect_timeout_s));
    const std::string metadata = read_metadata(server);
    ++reconnects_;
    if (metadata != metadata_) {
      server.client->close();
      why = "after reconnecting, the server's metadata differs from the run's start (" + metadata +
            " vs " + metadata_ + "): it serves another policy";
      return false;
    }
    server.outage_since.reset();
    server.retry_gap_s = 0.5;
    return true;
  } catch (const std::runtime_error& e) {
    why = e.what();
  }
  server.next_try = Clock::now() + ms(server.retry_gap_s);
  server.retry_gap_s = std::min(server.retry_gap_s * 2.0, 30.0);
  return false;
}

std::vector<std::size_t> RemotePolicy::exchange(Server& server,
                                                const std::vector<std::size_t>& items,
                                                std::span<ActionChunk> out,
                                                std::vector<std::string>& failure,
                                                double& server_ms) {
  std::vector<std::size_t> retry;
  const auto fail_rest = [&](std::size_t from, const std::string& why) {
    for (std::size_t j = from; j < items.size(); ++j) {
      failure[items[j]] = why;
      retry.push_back(items[j]);
    }
  };
  for (const std::size_t i : items) {
    try {
      server.client->send_binary(requests_[i]);
    } catch (const ConnectionLost& e) {
      fail_rest(0, e.what());
      return retry;
    }
  }
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::size_t i = items[k];
    WebsocketClient::Message m;
    try {
      m = server.client->receive(ms(options_.timeout_s));
    } catch (const ReceiveTimeout& e) {
      // Late replies would be taken for the next requests': start afresh.
      server.client->close();
      fail_rest(k, e.what());
      return retry;
    } catch (const ConnectionLost& e) {
      fail_rest(k, e.what());
      return retry;
    }
    if (!m.binary) {
      // openpi servers send the traceback as text, then close the connection.
      out[i].error = "policy server " + server.uri + " raised:\n" + server_text(m.payload);
      server.client->close();
      fail_rest(k + 1, "the server closed the connection after an error in another request");
      return retry;
    }
    try {
      const RemoteReply r = decode_reply(m.payload);
      out[i].resize(r.horizon, r.dim);
      std::copy(r.actions.begin(), r.actions.end(), out[i].values.begin());
      ++server.calls;
      if (r.server_infer_ms >= 0.0) server_ms = std::max(server_ms, 0.0) + r.server_infer_ms;
    } catch (const std::runtime_error& e) {
      out[i].error = "policy server " + server.uri + ": " + e.what();
    }
  }
  return retry;
}

void RemotePolicy::act(std::span<const int> slots, std::span<const Observation* const> obs,
                       std::span<ActionChunk> out) {
  last_server_infer_ms_ = -1.0;
  requests_.resize(obs.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < obs.size(); ++i) {
    try {
      const auto slot = static_cast<std::size_t>(slots[i]);
      encode_request(*obs[i], prompts_.at(slot), seeds_.at(slot), options_.keys, requests_[i]);
      pending.push_back(i);
    } catch (const std::runtime_error& e) {
      out[i].error = e.what();
    }
  }
  std::vector<std::string> failure(obs.size());
  std::vector<std::string> failed_on(obs.size());
  // One server: the item is sent again once after reconnecting. Several: it
  // may also move to each other live server once.
  const int rounds = servers_.size() == 1 ? 2 : static_cast<int>(servers_.size()) + 1;
  bool retried = false;
  for (int round = 0; round < rounds && !pending.empty(); ++round) {
    retried = round > 0;
    // The live servers: connected, or revived now. A dead server waits out its
    // retry gap while others serve; with none left, the patient reconnect applies.
    std::vector<std::size_t> live;
    std::string why;
    const auto now = Clock::now();
    for (std::size_t k = 0; k < servers_.size(); ++k) {
      Server& server = servers_[k];
      if (server.client->connected()) {
        live.push_back(k);
      } else if (servers_.size() > 1 && now >= server.next_try && try_revive(server, why)) {
        live.push_back(k);
      }
    }
    if (live.empty()) {
      for (std::size_t n = 0; n < servers_.size() && live.empty(); ++n) {
        Server& server = servers_[(next_server_ + n) % servers_.size()];
        if (ensure_connected(server, why)) live.push_back((next_server_ + n) % servers_.size());
      }
    }
    if (live.empty()) {
      for (const std::size_t i : pending) failure[i] = why;
      break;  // ensure_connected already waited with backoff
    }
    if (round > 0 && servers_.size() > 1) ++failovers_;
    // Round-robin over the live servers, starting where the last batch stopped.
    std::vector<std::vector<std::size_t>> share(live.size());
    for (std::size_t n = 0; n < pending.size(); ++n) {
      share[(next_server_ + n) % live.size()].push_back(pending[n]);
    }
    next_server_ = (next_server_ + pending.size()) % std::max<std::size_t>(live.size(), 1);
    std::vector<std::vector<std::size_t>> retry(live.size());
    std::vector<double> server_ms(live.size(), -1.0);
    const auto run_share = [&](std::size_t j) {
      if (share[j].empty()) return;
      retry[j] = exchange(servers_[live[j]], share[j], out, failure, server_ms[j]);
    };
    if (live.size() == 1) {
      run_share(0);
    } else {
      // Servers answer in parallel; each thread touches only its own server and items.
      std::vector<std::thread> threads;
      for (std::size_t j = 1; j < live.size(); ++j) threads.emplace_back(run_share, j);
      run_share(0);
      for (auto& t : threads) t.join();
    }
    pending.clear();
    for (std::size_t j = 0; j < live.size(); ++j) {
      for (const std::size_t i : retry[j]) failed_on[i] = servers_[live[j]].uri;
      pending.insert(pending.end(), retry[j].begin(), retry[j].end());
      if (server_ms[j] >= 0.0)
        last_server_infer_ms_ = std::max(last_server_infer_ms_, 0.0) + server_ms[j];
    }
    std::sort(pending.begin(), pending.end());
  }
  for (const std::size_t i : pending) {
    const std::string& uri = failed_on[i].empty() ? options_.uri : failed_on[i];
    out[i].error = "policy server " + uri + ": " + failure[i] +
                   (retried ? " (the request was sent again once after reconnecting)" : "");
  }
}

}  // namespace gauntlet::adapters
