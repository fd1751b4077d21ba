#include "worldmodel/networks/world_model_networks.hpp"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace gauntlet::adapters {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// PyTorch's default initialisation of Conv2d / Linear: weights and biases
// uniform in +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)).
void add_layer(torch::jit::Module& m, const std::string& name,
               std::vector<std::int64_t> weight_shape) {
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < weight_shape.size(); ++i) fan_in *= weight_shape[i];
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  const std::int64_t out = weight_shape[0];
  m.register_parameter(name + "_w", torch::rand(weight_shape).mul_(2 * bound).sub_(bound), false);
  m.register_parameter(name + "_b", torch::rand({out}).mul_(2 * bound).sub_(bound), false);
}

std::string format(const char* pattern, const std::vector<std::pair<std::string, long>>& values) {
  std::string s = pattern;
  for (const auto& [key, value] : values) {
    const std::string token = "{" + key + "}";
    for (std::size_t at = s.find(token); at != std::string::npos; at = s.find(token, at)) {
      s.replace(at, token.size(), std::to_string(value));
    }
  }
  return s;
}

// Without the step count: a run may be resumed to train longer.
std::string options_identity(const TrainingOptions& o) {
  return "batch=" + std::to_string(o.batch) + ",lr=" + number(o.learning_rate) +
         ",seed=" + std::to_string(o.seed) + ",threads=" + std::to_string(o.threads);
}

std::string options_json(const TrainingOptions& o) {
  return "\"steps\":" + std::to_string(o.steps) + ",\"batch\":" + std::to_string(o.batch) +
         ",\"learning_rate\":" + number(o.learning_rate) + ",\"seed\":" + std::to_string(o.seed) +
         ",\"threads\":" + std::to_string(o.threads);
}

// The world model's methods. {C} latent channels, {LH}x{LW} latent grid,
// {H}x{W} frames, {P} proprioception, {ZN} = C * LH * LW.
constexpr const char* kWorldModelSource = R"TS(
def encode(self, frame: Tensor, p: Tensor) -> Tensor:
    x = torch.relu(torch.conv2d(frame, self.e1_w, self.e1_b, [2, 2], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.e2_w, self.e2_b, [2, 2], [1, 1]))
    z = torch.conv2d(x, self.e3_w, self.e3_b, [2, 2], [1, 1])
    return torch.tanh(z + torch.linear(p, self.ep_w, self.ep_b).unsqueeze(2).unsqueeze(3))

def transition(self, z: Tensor, p: Tensor, a: Tensor) -> Tuple[Tensor, Tensor]:
    an = a / self.action_scale
    u = torch.linear(torch.cat([an, p], 1), self.ta_w, self.ta_b)
    m = u.unsqueeze(2).unsqueeze(3).expand(-1, -1, {LH}, {LW})
    h = torch.relu(torch.conv2d(torch.cat([z, m], 1), self.t1_w, self.t1_b, [1, 1], [1, 1]))
    gc = torch.conv2d(h, self.t2_w, self.t2_b, [1, 1], [1, 1])
    g = torch.sigmoid(gc[:, 0:{C}])
    c = torch.tanh(gc[:, {C}:])
    z2 = (1.0 - g) * z + g * c
    q = torch.relu(torch.linear(torch.cat([torch.mean(z2, [2, 3]), an, p], 1), self.p1_w, self.p1_b))
    return z2, p + torch.linear(q, self.p2_w, self.p2_b)

def decode(self, z: Tensor, p: Tensor, context: Tensor) -> Tensor:
    b = z.size(0)
    pe = torch.linear(p, self.dp_w, self.dp_b).unsqueeze(2).unsqueeze(3).expand(-1, -1, {LH}, {LW})
    x = torch.cat([z, pe, self.coords.expand(b, -1, -1, -1)], 1)
    x = torch.relu(torch.pixel_shuffle(torch.conv2d(x, self.d1_w, self.d1_b, [1, 1], [1, 1]), 2))
    x = torch.relu(torch.pixel_shuffle(torch.conv2d(x, self.d2_w, self.d2_b, [1, 1], [1, 1]), 2))
    y = torch.pixel_shuffle(torch.conv2d(x, self.d3_w, self.d3_b, [1, 1], [1, 1]), 2)
    mask = torch.sigmoid(y[:, 3:4])
    return mask * torch.sigmoid(y[:, 0:3]) + (1.0 - mask) * context

def reset(self, frames: Tensor, proprio: Tensor) -> Tensor:
    context = frames[:, -1]
    p = (proprio - self.proprio_mean) / self.proprio_std
    z = self.encode(context, p)
    return torch.cat([z.flatten(1), p, context.flatten(1)], 1)

def step(self, state: Tensor, actions: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    b = state.size(0)
    z = state[:, 0:{ZN}].reshape([b, {C}, {LH}, {LW}])
    p = state[:, {ZN}:{ZN} + {P}]
    context = state[:, {ZN} + {P}:].reshape([b, 3, {H}, {W}])
    frames: List[Tensor] = []
    props: List[Tensor] = []
    for t in range(actions.size(1)):
        z, p = self.transition(z, p, actions[:, t])
        frames.append(self.decode(z, p, context))
        props.append(p * self.proprio_std + self.proprio_mean)
    return torch.stack(frames, 1), torch.stack(props, 1), torch.cat([z.flatten(1), p, context.flatten(1)], 1)

def training_loss(self, frames: Tensor, actions: Tensor, proprio: Tensor) -> Tensor:
    b = frames.size(0)
    steps = actions.size(1)
    context = frames[:, 0]
    targets = (proprio - self.proprio_mean) / self.proprio_std
    # Every frame of the window encoded: the latent each rollout step should
    # reach, and (decoded again) a reconstruction target that teaches the
    # decoder sharp frames from good latents.
    encoded = self.encode(frames.flatten(0, 1), targets.flatten(0, 1)).reshape([b, steps + 1, {C}, {LH}, {LW}])
    p = targets[:, 0]
    z = encoded[:, 0]
    loss_f = torch.zeros([1])
    loss_r = torch.zeros([1])
    loss_z = torch.zeros([1])
    loss_p = torch.zeros([1])
    for t in range(steps):
        z, p = self.transition(z, p, actions[:, t])
        target = frames[:, t + 1]
        # Pixels that differ from the context (the gripper, moved objects)
        # weigh more: they are few, and they are what a judge looks at.
        weight = 1.0 + 20.0 * torch.amax(torch.abs(target - context), [1], True)
        pred = self.decode(z, p, context)
        loss_f = loss_f + torch.mean(weight * (pred - target) * (pred - target))
        recon = self.decode(encoded[:, t + 1], targets[:, t + 1], context)
        loss_r = loss_r + torch.mean(weight * (recon - target) * (recon - target))
        loss_z = loss_z + torch.mean((z - encoded[:, t + 1].detach()) * (z - encoded[:, t + 1].detach()))
        loss_p = loss_p + torch.mean((p - targets[:, t + 1]) * (p - targets[:, t + 1]))
    return ((loss_f + loss_r + 0.1 * loss_z + 0.1 * loss_p) / steps).sum()
)TS";

constexpr const char* kJudgeSource = R"TS(
def logits(self, x: Tensor) -> Tensor:
    x = torch.relu(torch.conv2d(x, self.c1_w, self.c1_b, [2, 2], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.c2_w, self.c2_b, [2, 2], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.c3_w, self.c3_b, [2, 2], [1, 1]))
    x = torch.relu(torch.conv2d(x, self.c4_w, self.c4_b, [2, 2], [1, 1]))
    h = torch.relu(torch.linear(x.flatten(1), self.f1_w, self.f1_b))
    return torch.linear(h, self.f2_w, self.f2_b)

def forward(self, frames: Tensor) -> Tensor:
    return torch.sigmoid(self.logits(frames[:, -1]))

def training_loss(self, frames: Tensor, success: Tensor, progress: Tensor, weight: Tensor) -> Tensor:
    y = self.logits(frames[:, -1])
    s = y[:, 0]
    # Binary cross-entropy with logits, written out (numerically stable).
    bce = torch.relu(s) - s * success + torch.log1p(torch.exp(-torch.abs(s)))
    q = torch.sigmoid(y[:, 1])
    return torch.sum(weight * (bce + (q - progress) * (q - progress))) / torch.sum(weight)
)TS";

}  // namespace

torch::jit::Module build_world_model(const WorldModelShape& s, const torch::Tensor& proprio_mean,
                                     const torch::Tensor& proprio_std,
                                     const torch::Tensor& action_scale) {
  const int c = s.channels;
  const int c2 = std::max(8, c / 2);
  const int lh = s.height / 8;
  const int lw = s.width / 8;
  const int pe = 32;  // proprioception embedding channels in the decoder
  torch::jit::Module m("__torch__.gauntlet.WorldModel");
  add_layer(m, "e1", {c2, 3, 4, 4});
  add_layer(m, "e2", {c, c2, 4, 4});
  add_layer(m, "e3", {c, c, 4, 4});
  add_layer(m, "ep", {c, s.proprio_dim});
  add_layer(m, "ta", {c, s.action_dim + s.proprio_dim});
  add_layer(m, "t1", {c, 2 * c, 3, 3});
  add_layer(m, "t2", {2 * c, c, 3, 3});
  add_layer(m, "p1", {128, c + s.action_dim + s.proprio_dim});
  add_layer(m, "p2", {s.proprio_dim, 128});
  add_layer(m, "dp", {pe, s.proprio_dim});
  add_layer(m, "d1", {4 * c, c + pe + 2, 3, 3});
  add_layer(m, "d2", {4 * c2, c, 3, 3});
  add_layer(m, "d3", {16, c2, 3, 3});
  m.register_buffer("proprio_mean", proprio_mean.clone());
  m.register_buffer("proprio_std", proprio_std.clone());
  m.register_buffer("action_scale", action_scale.clone());
  // Normalised (row, column) coordinates of the latent grid: lets the decoder
  // place what the proprioception says (the gripper) at an absolute position.
  torch::Tensor ys = torch::linspace(-1, 1, lh).view({1, 1, lh, 1}).expand({1, 1, lh, lw});
  torch::Tensor xs = torch::linspace(-1, 1, lw).view({1, 1, 1, lw}).expand({1, 1, lh, lw});
  m.register_buffer("coords", torch::cat({ys, xs}, 1).contiguous());
  m.define(format(kWorldModelSource, {{"C", c},
                                      {"LH", lh},
                                      {"LW", lw},
                                      {"H", s.height},
                                      {"W", s.width},
                                      {"P", s.proprio_dim},
                                      {"ZN", static_cast<long>(c) * lh * lw}}));
  return m;
}

std::string world_model_identity(const WorldModelShape& s, const TrainingOptions& o, int horizon) {
  return "gauntlet-wm-v1 " + std::to_string(s.width) + "x" + std::to_string(s.height) + " a" +
         std::to_string(s.action_dim) + " p" + std::to_string(s.proprio_dim) +
         " channels=" + std::to_string(s.channels) + " horizon=" + std::to_string(horizon) + " " +
         options_identity(o) + " data=" + o.data_identity;
}

std::string world_model_metadata(const WorldModelShape& s, const std::string& camera,
                                 const TrainingOptions& o, int horizon) {
  return "{\"kind\":\"world_model\",\"format\":1,\"builtin\":\"gauntlet-wm-v1\",\"camera\":\"" +
         camera + "\",\"image_size\":[" + std::to_string(s.width) + "," + std::to_string(s.height) +
         "],\"context_frames\":1,\"action_dim\":" + std::to_string(s.action_dim) +
         ",\"proprio_dim\":" + std::to_string(s.proprio_dim) +
         ",\"channels\":" + std::to_string(s.channels) + ",\"horizon\":" + std::to_string(horizon) +
         ",\"training\":{" + options_json(o) + ",\"data\":\"" + o.data_identity + "\"" +
         (o.provenance_json.empty() ? std::string() : ",\"provenance\":" + o.provenance_json) +
         "}}";
}

torch::jit::Module build_judge(const JudgeShape& s) {
  const int c = s.channels;
  torch::jit::Module m("__torch__.gauntlet.Judge");
  add_layer(m, "c1", {c, 3, 4, 4});
  add_layer(m, "c2", {2 * c, c, 4, 4});
  add_layer(m, "c3", {2 * c, 2 * c, 4, 4});
  add_layer(m, "c4", {2 * c, 2 * c, 4, 4});
  add_layer(m, "f1", {64, 2 * c * (s.height / 16) * (s.width / 16)});
  add_layer(m, "f2", {2, 64});
  m.define(kJudgeSource);
  return m;
}

std::string judge_identity(const JudgeShape& s, const TrainingOptions& o) {
  return "gauntlet-judge-v1 " + std::to_string(s.width) + "x" + std::to_string(s.height) +
         " channels=" + std::to_string(s.channels) + " " + options_identity(o) +
         " data=" + o.data_identity;
}

std::string judge_metadata(const JudgeShape& s, const std::string& camera,
                           const TrainingOptions& o) {
  return "{\"kind\":\"judge\",\"format\":1,\"builtin\":\"gauntlet-judge-v1\",\"camera\":\"" +
         camera + "\",\"image_size\":[" + std::to_string(s.width) + "," + std::to_string(s.height) +
         "],\"frames\":1,\"channels\":" + std::to_string(s.channels) + ",\"training\":{" +
         options_json(o) + ",\"data\":\"" + o.data_identity + "\"" +
         (o.provenance_json.empty() ? std::string() : ",\"provenance\":" + o.provenance_json) +
         "}}";
}

}  // namespace gauntlet::adapters
