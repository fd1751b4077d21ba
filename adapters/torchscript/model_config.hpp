// The YAML file that maps gauntlet observations onto a TorchScript model's
// forward() arguments and the model's output onto actions (see docs/adapters.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace gauntlet::adapters {

// Cameras stacked along channels: (B, 3*C, H, W) for nchw, (B, H, W, 3*C) for
// nhwc. Float pixels are ((x / pixel_scale) - mean[c]) / std[c] in float32.
struct ImageInput {
  std::vector<std::string> cameras;
  int width = 0;  // what the model gets
  int height = 0;
  int render_width = 0;  // what the Env renders; resized (bilinear) to width x height
  int render_height = 0;
  bool nhwc = false;
  bool bgr = false;
  bool uint8 = false;  // raw bytes (dtype uint8), no scaling
  float pixel_scale = 255.0f;
  std::vector<float> mean;  // 3 values, or empty
  std::vector<float> std;   // 3 values, or empty
};

// Proprioception entries picked by name (or index), normalised
// (x - mean[i]) / std[i] in float32: a (B, N) float tensor.
struct StateInput {
  std::vector<std::string> keys;  // names, or decimal indices such as "3"
  std::vector<float> mean;
  std::vector<float> std;
};

// The instruction as token ids (B, length) int64, or as a fixed embedding
// (B, D) float looked up by the exact instruction text ("*" matches any).
struct InstructionInput {
  bool tokens = true;
  std::unordered_map<std::string, std::int64_t> vocab;
  int length = 16;
  std::int64_t pad_id = 0;
  std::int64_t unknown_id = 1;
  bool lowercase = true;
  std::map<std::string, std::vector<float>> embeddings;
  int embedding_dim = 0;
};

struct ModelInput {
  // kSeed: int64 (B, 2) of (the episode's seed, bit-cast to int64; the step
  // index), so a stochastic model can draw reproducible noise per episode.
  enum class Kind { kImage, kState, kInstruction, kSeed };
  Kind kind = Kind::kState;
  std::string name;  // for messages
  ImageInput image;
  StateInput state;
  InstructionInput instruction;
};

// From the model's output y (chunk x dim per item) to ee_delta actions:
// un-normalise per model component (y * std + mean, or low + (y + 1) / 2 *
// (high - low) for [-1, 1] outputs), pick components (`indices`, -1 = zero),
// multiply by `scale`, then map the gripper convention onto -1 open .. +1 closed.
struct OutputMapping {
  int chunk = 1;
  int dim = 7;
  std::vector<float> mean, std;  // size dim, or empty
  std::vector<float> low, high;  // size dim, or empty
  std::vector<int> indices;      // size action dim; empty = identity
  std::vector<float> scale;      // size action dim; empty = ones
  bool gripper_convert = false;
  float gripper_open = -1.0f;
  float gripper_closed = 1.0f;
  bool gripper_binarize = false;
  int gripper_index = -1;  // action component; -1 = the last one
};

struct TorchscriptConfig {
  std::filesystem::path file;
  std::vector<ModelInput> inputs;  // forward() arguments in order
  OutputMapping output;
  int replan_every = 0;  // default for the policy spec's replan_every
  // Files the config reads (vocabulary, embeddings); hashed into the policy identity.
  std::vector<std::filesystem::path> referenced_files;

  // The one render size every image input needs (0 x 0 without images);
  // throws InputError naming the file when image inputs disagree.
  std::pair<int, int> render_size() const;
  std::vector<std::string> cameras() const;
};

// Reads and validates the config; relative paths inside it are relative to
// the config's folder. Throws InputError "FILE:LINE: field: what was expected".
TorchscriptConfig load_torchscript_config(const std::filesystem::path& file);

// Splits an instruction into vocabulary tokens: lower-cased (when asked),
// split at every character that is not a letter, digit or apostrophe.
std::vector<std::string> split_instruction(const std::string& text, bool lowercase);

}  // namespace gauntlet::adapters
