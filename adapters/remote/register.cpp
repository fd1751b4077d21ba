#include "adapters/remote/register.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "adapters/chunking/chunk_execution.hpp"
#include "adapters/remote/remote_policy.hpp"
#include "harness/errors.hpp"
#include "harness/image_ops.hpp"

namespace gauntlet::adapters {
namespace {

double seconds(const PolicySpec& spec, const std::string& key, double fallback) {
  const double v = spec.option_double(key, fallback);
  if (!(v > 0.0) || !std::isfinite(v)) {
    throw InputError(spec.quoted() + ": " + key + " must be a positive number of seconds");
  }
  return v;
}

// "none" omits a key (or a camera) from the requests.
std::string key_option(const PolicySpec& spec, const std::string& key,
                       const std::string& fallback) {
  const std::string v = spec.option(key).value_or(fallback);
  return v == "none" ? std::string() : v;
}

RemoteOptions parse_options(const PolicySpec& spec) {
  RemoteOptions o;
  o.uri = spec.arg;
  // Several servers of one policy: ws://a:8000|ws://b:8000.
  std::size_t start = 0;
  while (start <= spec.arg.size()) {
    const std::size_t bar = std::min(spec.arg.find('|', start), spec.arg.size());
    const std::string uri = spec.arg.substr(start, bar - start);
    if (uri.rfind("ws://", 0) != 0 || uri.size() == 5) {
      throw InputError(spec.quoted() + ": expected remote:ws://HOST:PORT[|ws://HOST:PORT...]" +
                       (uri.empty() ? " (an empty server between '|')" : ", got '" + uri + "'") +
                       (uri.rfind("wss://", 0) == 0
                            ? " (wss:// is not supported; tunnel it or use ws://)"
                            : ""));
    }
    if (std::find(o.uris.begin(), o.uris.end(), uri) != o.uris.end()) {
      throw InputError(spec.quoted() + ": server '" + uri + "' is listed twice");
    }
    o.uris.push_back(uri);
    start = bar + 1;
  }
  RemoteKeys& k = o.keys;
  k.image = key_option(spec, "image_key", k.image);
  k.wrist_image = key_option(spec, "wrist_image_key", k.wrist_image);
  k.state = key_option(spec, "state_key", k.state);
  k.prompt = key_option(spec, "prompt_key", k.prompt);
  k.seed = key_option(spec, "seed_key", k.seed);
  k.image_camera = key_option(spec, "camera", k.image_camera);
  k.wrist_camera = key_option(spec, "wrist_camera", k.wrist_camera);
  if (k.image_camera.empty()) k.image.clear();
  if (k.wrist_camera.empty()) k.wrist_image.clear();
  if (const auto size = spec.option("image_size")) {
    const ImageSize parsed = parse_image_size(*size, spec.quoted() + ": image_size");
    o.image_width = parsed.width;
    o.image_height = parsed.height;
  }
  o.timeout_s = seconds(spec, "timeout", o.timeout_s);
  o.connect_timeout_s = seconds(spec, "connect_timeout", o.connect_timeout_s);
  o.reconnect_s = seconds(spec, "reconnect", o.reconnect_s);
  const std::string probe = spec.option("probe").value_or("true");
  if (probe != "true" && probe != "false") {
    throw InputError(spec.quoted() + ": probe must be true or false");
  }
  o.probe = probe == "true";
  o.identity = spec.option("identity").value_or("");
  return o;
}

}  // namespace

void register_remote_policy(Registry& registry) {
  registry.add_policy(PolicyKind{
      "remote", "remote:ws://HOST:PORT[|ws://HOST2:PORT...][,KEY=VALUE...]",
      "policy servers speaking the openpi websocket protocol (msgpack + numpy arrays); several "
      "(a|b) share the calls and fail over",
      [](const PolicySpec& spec) -> std::unique_ptr<Policy> {
        spec.require_known_options({"image_key", "wrist_image_key", "state_key", "prompt_key",
                                    "seed_key", "camera", "wrist_camera", "image_size", "timeout",
                                    "connect_timeout", "reconnect", "probe", "identity",
                                    kReplanEveryOption, kEnsembleOption});
        return with_chunk_execution(spec, std::make_unique<RemotePolicy>(parse_options(spec)));
      }});
}

}  // namespace gauntlet::adapters
