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

RemotePolicy::RemotePolicy(RemoteOptions options)
    : options_(std::move(options)), client_(std::make_unique<WebsocketClient>()) {
  try {
    client_->connect(options_.uri, ms(options_.connect_timeout_s));
    metadata_ = read_metadata();
  } catch (const std::invalid_argument& e) {
    throw InputError("remote policy " + options_.uri + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw InputError("remote policy " + options_.uri + ": " + std::string(e.what()) +
                     " (is the policy server running?)");
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

std::string RemotePolicy::read_metadata() {
  const WebsocketClient::Message m = client_->receive(ms(options_.connect_timeout_s));
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
  const std::string where = "remote policy " + options_.uri +
                            ": the load-time probe (zero images of " + std::to_string(w) + "x" +
                            std::to_string(h) + ", zero state, empty prompt; probe=false skips it)";
  try {
    client_->send_binary(request);
    const WebsocketClient::Message m = client_->receive(ms(options_.timeout_s));
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

void RemotePolicy::reset(int slot, const EpisodeContext& ctx) {
  prompts_.at(static_cast<std::size_t>(slot)) = ctx.instruction;
  seeds_.at(static_cast<std::size_t>(slot)) = ctx.spec ? ctx.spec->seed : 0;
}

bool RemotePolicy::ensure_connected(std::string& why) {
  if (client_->connected()) return true;
  const auto now = Clock::now();
  if (!outage_since_) outage_since_ = now;
  const bool patient = now - *outage_since_ < ms(options_.reconnect_s);
  const auto deadline = *outage_since_ + ms(options_.reconnect_s);
  double backoff = 0.1;
  while (true) {
    try {
      client_->connect(options_.uri, ms(options_.connect_timeout_s));
      const std::string metadata = read_metadata();
      ++reconnects_;
      if (metadata != metadata_) {
        client_->close();
        why = "after reconnecting, the server's metadata differs from the run's start (" +
              metadata + " vs " + metadata_ + "): it serves another policy";
        return false;
      }
      outage_since_.reset();
      return true;
    } catch (const std::runtime_error& e) {
      why = e.what();
    }
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

std::vector<std::size_t> RemotePolicy::exchange(const std::vector<std::size_t>& items,
                                                std::span<ActionChunk> out,
                                                std::vector<std::string>& failure) {
  std::vector<std::size_t> retry;
  const auto fail_rest = [&](std::size_t from, const std::string& why) {
    for (std::size_t j = from; j < items.size(); ++j) {
      failure[items[j]] = why;
      retry.push_back(items[j]);
    }
  };
  for (const std::size_t i : items) {
    try {
      client_->send_binary(requests_[i]);
    } catch (const ConnectionLost& e) {
      fail_rest(0, e.what());
      return retry;
    }
  }
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::size_t i = items[k];
    WebsocketClient::Message m;
    try {
      m = client_->receive(ms(options_.timeout_s));
    } catch (const ReceiveTimeout& e) {
      // Late replies would be taken for the next requests': start afresh.
      client_->close();
      fail_rest(k, e.what());
      return retry;
    } catch (const ConnectionLost& e) {
      fail_rest(k, e.what());
      return retry;
    }
    if (!m.binary) {
      // openpi servers send the traceback as text, then close the connection.
      out[i].error = "policy server " + options_.uri + " raised:\n" + server_text(m.payload);
      client_->close();
      fail_rest(k + 1, "the server closed the connection after an error in another request");
      return retry;
    }
    try {
      const RemoteReply r = decode_reply(m.payload);
      out[i].resize(r.horizon, r.dim);
      std::copy(r.actions.begin(), r.actions.end(), out[i].values.begin());
      if (r.server_infer_ms >= 0.0) {
        last_server_infer_ms_ = std::max(last_server_infer_ms_, 0.0) + r.server_infer_ms;
      }
    } catch (const std::runtime_error& e) {
      out[i].error = "policy server " + options_.uri + ": " + e.what();
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
  bool retried = false;
  for (int attempt = 0; attempt < 2 && !pending.empty(); ++attempt) {
    retried = attempt == 1;
    std::string why;
    if (!ensure_connected(why)) {
      for (const std::size_t i : pending) failure[i] = why;
      break;  // ensure_connected already waited with backoff
    }
    pending = exchange(pending, out, failure);
  }
  for (const std::size_t i : pending) {
    out[i].error = "policy server " + options_.uri + ": " + failure[i] +
                   (retried ? " (the request was sent again once after reconnecting)" : "");
  }
}

}  // namespace gauntlet::adapters
