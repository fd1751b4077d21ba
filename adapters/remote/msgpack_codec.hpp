// The openpi websocket policy protocol's message format: msgpack maps whose
// numpy arrays are maps {__ndarray__: true, data: bytes, dtype: "<f4", shape: [...]}
// (openpi_client.msgpack_numpy; the four keys are msgpack bin, as Python's
// bytes keys pack). Plain header: msgpack stays in msgpack_codec.cpp.
#pragma once

#include <string>
#include <vector>

#include "harness/observation.hpp"

namespace gauntlet::adapters {

// Where each part of an observation goes in a request; an empty key omits it.
struct RemoteKeys {
  std::string image = "observation/image";
  std::string wrist_image = "observation/wrist_image";
  std::string state = "observation/state";
  std::string prompt = "prompt";
  std::string image_camera = "agentview";
  std::string wrist_camera = "wrist";
  std::string
      seed;  // key of the episode seed (uint64); empty: not sent (openpi servers do not take it)
};

// Appends the request for one observation to `out` (cleared first). Throws
// std::runtime_error naming a camera the observation does not have.
// `seed` is the episode's seed, sent under keys.seed when that key is set.
void encode_request(const Observation& obs, const std::string& prompt, std::uint64_t seed,
                    const RemoteKeys& keys, std::string& out);

// A request with zero images of width x height and a zero state of `state_dim`
// entries, for the load-time probe.
void encode_probe(int width, int height, int state_dim, const RemoteKeys& keys, std::string& out);

struct RemoteReply {
  int horizon = 0;
  int dim = 0;
  std::vector<float> actions;     // horizon x dim
  double server_infer_ms = -1.0;  // server_timing.infer_ms when the server reports it
};

// Decodes a reply map; `actions` is an ndarray (or nested list) of shape
// (chunk, dim) or (dim,). Throws std::runtime_error saying what is wrong.
RemoteReply decode_reply(const std::string& payload);

// A readable rendering of any msgpack message (the metadata map), with
// arrays shown as dtype[shape]; stable for equal messages.
std::string describe_message(const std::string& payload);

}  // namespace gauntlet::adapters
