#include "harness/demo_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "harness/errors.hpp"
#include "harness/subtask_list.hpp"
#include "harness/version.hpp"

namespace gauntlet {
namespace {

void check(herr_t status, const char* what) {
  if (status < 0) throw RuntimeFailure(std::string("HDF5 (demo file): ") + what + " failed");
}

hid_t checked(hid_t id, const char* what) {
  if (id < 0) throw RuntimeFailure(std::string("HDF5 (demo file): ") + what + " failed");
  return id;
}

void write_string_attr(hid_t obj, const char* name, const std::string& value) {
  const hid_t type = checked(H5Tcopy(H5T_C_S1), "string type");
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = checked(H5Screate(H5S_SCALAR), "scalar space");
  const hid_t attr = checked(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), name);
  const char* p = value.c_str();
  check(H5Awrite(attr, type, &p), name);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

void write_int_attr(hid_t obj, const char* name, long long value) {
  const hid_t space = checked(H5Screate(H5S_SCALAR), "scalar space");
  const hid_t attr =
      checked(H5Acreate2(obj, name, H5T_NATIVE_LLONG, space, H5P_DEFAULT, H5P_DEFAULT), name);
  check(H5Awrite(attr, H5T_NATIVE_LLONG, &value), name);
  H5Aclose(attr);
  H5Sclose(space);
}

// An n-D dataset written at once; images are chunked per 8 frames and gzipped.
void write_dataset(hid_t group, const char* name, hid_t mem_type, hid_t file_type,
                   const std::vector<hsize_t>& dims, const void* data, int gzip) {
  const hid_t space =
      checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space");
  const hid_t dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), "dcpl");
  if (gzip > 0 && dims[0] > 0) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::min<hsize_t>(dims[0], 8);
    check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "chunk");
    check(H5Pset_deflate(dcpl, static_cast<unsigned>(gzip)), "deflate");
  }
  const hid_t ds =
      checked(H5Dcreate2(group, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), name);
  if (dims[0] > 0) check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
}

// A 1-D dataset of fixed-length byte strings, as numpy's dtype 'S' (robomimic's mask/ keys).
void write_names(hid_t group, const char* name, const std::vector<std::string>& names) {
  std::size_t width = 1;
  for (const auto& n : names) width = std::max(width, n.size());
  std::vector<char> packed(names.size() * width, '\0');
  for (std::size_t i = 0; i < names.size(); ++i)
    std::copy(names[i].begin(), names[i].end(), packed.begin() + static_cast<long>(i * width));
  const hid_t type = checked(H5Tcopy(H5T_C_S1), "string type");
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  write_dataset(group, name, type, type, {names.size()}, packed.data(), 0);
  H5Tclose(type);
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string demo_camera_key(const std::string& camera) {
  if (camera == "wrist") return "eye_in_hand_rgb";
  return camera + "_rgb";
}

struct DemoWriter::Buffer {
  bool active = false;
  EpisodeSpec spec;
  std::vector<std::string> cameras;  // stored ones
  std::vector<std::size_t> sources;  // their index in Observation::cameras
  const Env* env = nullptr;
  std::vector<double> states;  // T x state size: the simulator before each action
  std::vector<double> final_state;
  int width = 0, height = 0;
  std::vector<std::vector<std::uint8_t>> images;  // per camera, T x H x W x 3
  std::vector<float> actions;                     // T x 7
  std::vector<float> proprio;                     // T x P
  std::size_t proprio_dim = 0;
  std::vector<double> rewards;
  std::vector<std::uint8_t> dones;
  std::vector<float> progress;  // the task's progress after each step
  // The instruction the policy saw before each step: a chain's current subtask's annotation.
  std::vector<std::string> instructions;
  // The observation after the last step (world-model targets, judge labels):
  // overwritten after every step, so it holds the final one when the episode ends.
  std::vector<std::vector<std::uint8_t>> final_images;  // per camera, H x W x 3
  std::vector<float> final_proprio;
};

DemoWriter::DemoWriter(const std::filesystem::path& path, const Suite& suite, int slots,
                       DemoFileOptions options)
    : path_(path),
      partial_(path.string() + ".partial"),
      suite_(suite),
      options_(std::move(options)) {
  for (int i = 0; i < slots; ++i) buffers_.push_back(std::make_unique<Buffer>());
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file_ = H5Fcreate(partial_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw InputError("demonstration file '" + path.string() + "': cannot create it");
  data_ = checked(H5Gcreate2(file_, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group data");
}

DemoWriter::~DemoWriter() {
  if (data_ >= 0) H5Gclose(data_);
  if (file_ >= 0) H5Fclose(file_);
}

void DemoWriter::begin_episode(int slot, const EpisodeSpec& spec, Env& env) {
  Buffer& b = *buffers_.at(static_cast<std::size_t>(slot));
  b = Buffer{};
  b.active = true;
  b.spec = spec;
  b.env = &env;
}

void DemoWriter::record_step(int slot, const Observation& obs, std::span<const float> action) {
  Buffer& b = *buffers_.at(static_cast<std::size_t>(slot));
  if (!b.active) return;
  if (b.cameras.empty() && !obs.cameras.empty()) {
    const auto& wanted = options_.cameras;
    for (std::size_t c = 0; c < obs.cameras.size(); ++c) {
      const std::string& name = obs.cameras[c].name;
      if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end())
        continue;
      b.cameras.push_back(name);
      b.sources.push_back(c);
    }
    b.width = obs.cameras[0].image.width;
    b.height = obs.cameras[0].image.height;
    b.images.resize(b.cameras.size());
  }
  for (std::size_t c = 0; c < b.images.size(); ++c) {
    if (b.sources[c] >= obs.cameras.size()) continue;
    const auto& px = obs.cameras[b.sources[c]].image.rgb;
    b.images[c].insert(b.images[c].end(), px.begin(), px.end());
  }
  b.proprio_dim = obs.proprio.size();
  b.proprio.insert(b.proprio.end(), obs.proprio.begin(), obs.proprio.end());
  b.actions.insert(b.actions.end(), action.begin(), action.end());
  b.instructions.push_back(obs.instruction);
  if (const SimulatorStates* states = suite_.simulator_states(); states && b.env) {
    const std::vector<double> state = states->save(*b.env);
    b.states.insert(b.states.end(), state.begin(), state.end());
  }
}

void DemoWriter::record_outcome(int slot, const StepResult& result, Env& env) {
  Buffer& b = *buffers_.at(static_cast<std::size_t>(slot));
  if (!b.active) return;
  b.rewards.push_back(result.reward);
  b.dones.push_back(result.success ? 1 : 0);
  b.progress.push_back(static_cast<float>(result.progress));
  // The runner asked for an observation after this step (wants_observations).
  const Observation& obs = env.observation();
  b.final_images.resize(b.images.size());
  for (std::size_t c = 0; c < b.final_images.size(); ++c) {
    if (b.sources[c] >= obs.cameras.size()) continue;
    const auto& px = obs.cameras[b.sources[c]].image.rgb;
    b.final_images[c].assign(px.begin(), px.end());
  }
  b.final_proprio.assign(obs.proprio.begin(), obs.proprio.end());
  if (const SimulatorStates* states = suite_.simulator_states()) b.final_state = states->save(env);
}

void DemoWriter::end_episode(int slot, const EpisodeResult& result) {
  Buffer& b = *buffers_.at(static_cast<std::size_t>(slot));
  const bool keep = b.active && !b.rewards.empty() && (result.success || !options_.only_success);
  if (keep) write_demo(b, result);
  b = Buffer{};
}

namespace {

// One observation group (obs/ or next_obs/): every camera's frames and the
// proprioception, LIBERO's ee_states / gripper_states split out of it.
struct ObsRows {
  std::vector<const std::vector<std::uint8_t>*> images;  // per camera, T x H x W x 3
  const std::vector<float>* proprio = nullptr;           // T x P
};

void write_obs_group(hid_t demo, const char* name, const std::vector<std::string>& cameras,
                     const ObsRows& rows, hsize_t t, int width, int height, std::size_t proprio_dim,
                     int compression) {
  const hid_t obs = checked(H5Gcreate2(demo, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
  for (std::size_t c = 0; c < cameras.size(); ++c) {
    write_dataset(obs, demo_camera_key(cameras[c]).c_str(), H5T_NATIVE_UINT8, H5T_STD_U8LE,
                  {t, static_cast<hsize_t>(height), static_cast<hsize_t>(width), 3},
                  rows.images[c]->data(), compression);
  }
  const std::vector<float>& proprio = *rows.proprio;
  if (proprio_dim >= 8) {
    std::vector<float> ee, grip;
    for (hsize_t i = 0; i < t; ++i) {
      const float* p = proprio.data() + i * proprio_dim;
      ee.insert(ee.end(), p, p + 6);
      grip.insert(grip.end(), p + 6, p + 8);
    }
    write_dataset(obs, "ee_states", H5T_NATIVE_FLOAT, H5T_IEEE_F64LE, {t, 6}, ee.data(), 0);
    write_dataset(obs, "gripper_states", H5T_NATIVE_FLOAT, H5T_IEEE_F64LE, {t, 2}, grip.data(), 0);
  }
  write_dataset(obs, "proprio", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                {t, static_cast<hsize_t>(proprio_dim)}, proprio.data(), 0);
  H5Gclose(obs);
}

// rows[1:] followed by `last`: the observation after each action.
template <typename T>
std::vector<T> shifted(const std::vector<T>& rows, std::size_t row_size,
                       const std::vector<T>& last) {
  std::vector<T> out(rows.begin() + static_cast<long>(std::min(row_size, rows.size())), rows.end());
  out.insert(out.end(), last.begin(), last.end());
  return out;
}

// Chain suites: data/demo_K/subtasks/{name, annotation, start, end, success}, one row per
// subtask attempted. Subtask i covers actions [start, end): the running sums of the steps.
void write_subtask_group(hid_t demo, const std::vector<SubtaskOutcome>& subtasks,
                         const std::vector<std::string>& instructions) {
  const hid_t g =
      checked(H5Gcreate2(demo, "subtasks", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "subtasks");
  std::vector<std::string> names, annotations;
  std::vector<long long> start, end;
  std::vector<std::uint8_t> success;
  long long at = 0;
  for (const auto& s : subtasks) {
    names.push_back(s.name);
    // The instruction shown at the subtask's first step (what the policy was asked).
    const auto first = static_cast<std::size_t>(at);
    annotations.push_back(first < instructions.size() ? instructions[first] : std::string());
    start.push_back(at);
    at += s.steps;
    end.push_back(at);
    success.push_back(s.success ? 1 : 0);
  }
  const hsize_t n = subtasks.size();
  write_names(g, "name", names);
  write_names(g, "annotation", annotations);
  write_dataset(g, "start", H5T_NATIVE_LLONG, H5T_STD_I64LE, {n}, start.data(), 0);
  write_dataset(g, "end", H5T_NATIVE_LLONG, H5T_STD_I64LE, {n}, end.data(), 0);
  write_dataset(g, "success", H5T_NATIVE_UINT8, H5T_STD_U8LE, {n}, success.data(), 0);
  H5Gclose(g);
}

}  // namespace

void DemoWriter::write_demo(const Buffer& b, const EpisodeResult& result) {
  // Formatted first: it throws on a name it cannot store, before any group is open.
  const std::string subtasks = format_subtasks(result.subtasks);
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string name = "demo_" + std::to_string(demos_);
  const hid_t g =
      checked(H5Gcreate2(data_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "demo group");
  const auto t = static_cast<hsize_t>(b.rewards.size());
  std::vector<std::uint8_t> dones = b.dones;
  if (!dones.empty()) dones.back() = 1;  // robomimic: the last step ends the demo
  write_dataset(g, "actions", H5T_NATIVE_FLOAT, H5T_IEEE_F64LE,
                {t, static_cast<hsize_t>(b.actions.size() / t)}, b.actions.data(), 0);
  write_dataset(g, "rewards", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, {t}, b.rewards.data(), 0);
  write_dataset(g, "dones", H5T_NATIVE_UINT8, H5T_STD_U8LE, {t}, dones.data(), 0);
  ObsRows obs;
  for (const auto& img : b.images) obs.images.push_back(&img);
  obs.proprio = &b.proprio;
  write_obs_group(g, "obs", b.cameras, obs, t, b.width, b.height, b.proprio_dim,
                  options_.compression);
  const std::size_t frame =
      static_cast<std::size_t>(b.width) * static_cast<std::size_t>(b.height) * 3;
  const bool have_final = b.final_images.size() == b.cameras.size() &&
                          std::all_of(b.final_images.begin(), b.final_images.end(),
                                      [&](const auto& img) { return img.size() == frame; }) &&
                          b.final_proprio.size() == b.proprio_dim;
  if (have_final) {
    // robomimic's next_obs: the observation after each action.
    std::vector<std::vector<std::uint8_t>> next_images;
    for (std::size_t c = 0; c < b.cameras.size(); ++c)
      next_images.push_back(shifted(b.images[c], frame, b.final_images[c]));
    const std::vector<float> next_proprio = shifted(b.proprio, b.proprio_dim, b.final_proprio);
    ObsRows next;
    for (const auto& img : next_images) next.images.push_back(&img);
    next.proprio = &next_proprio;
    write_obs_group(g, "next_obs", b.cameras, next, t, b.width, b.height, b.proprio_dim,
                    options_.compression);
  }
  // robomimic's states (the simulator before each action) and model_file:
  // what replaying a demo needs.
  const SimulatorStates* states = suite_.simulator_states();
  const std::size_t state_size = b.final_state.size();
  if (states && state_size > 0 && b.states.size() == t * state_size) {
    write_dataset(g, "states", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                  {t, static_cast<hsize_t>(state_size)}, b.states.data(), 0);
    // gauntlet: the state after the last action (replay checks it).
    write_dataset(g, "final_state", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                  {1, static_cast<hsize_t>(state_size)}, b.final_state.data(), 0);
    write_string_attr(g, "model_file", states->model_file(b.spec.task_index));
    write_string_attr(g, "state_layout", states->layout(b.spec.task_index));
  }
  // gauntlet extensions (ignored by robomimic/LIBERO loaders): the task's
  // progress after each step and the observation after the last step, so a
  // demo holds T + 1 frames for T actions (world-model and judge training).
  if (b.progress.size() == t) {
    write_dataset(g, "progress", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, {t}, b.progress.data(), 0);
  }
  if (have_final) {
    const hid_t fin = checked(H5Gcreate2(g, "final_obs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              "final_obs group");
    for (std::size_t c = 0; c < b.cameras.size(); ++c) {
      write_dataset(fin, demo_camera_key(b.cameras[c]).c_str(), H5T_NATIVE_UINT8, H5T_STD_U8LE,
                    {1, static_cast<hsize_t>(b.height), static_cast<hsize_t>(b.width), 3},
                    b.final_images[c].data(), options_.compression);
    }
    write_dataset(fin, "proprio", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                  {1, static_cast<hsize_t>(b.proprio_dim)}, b.final_proprio.data(), 0);
    H5Gclose(fin);
  }
  const TaskInfo& task = suite_.tasks().at(static_cast<std::size_t>(b.spec.task_index));
  write_int_attr(g, "num_samples", static_cast<long long>(t));
  write_string_attr(g, "task", task.id);
  write_string_attr(g, "language_instruction", suite_.instruction(b.spec));  // as the policy saw it
  write_string_attr(g, "perturbation", b.spec.perturbation.id());
  write_int_attr(g, "episode", b.spec.episode_index);
  write_string_attr(g, "seed", std::to_string(b.spec.seed));
  write_int_attr(g, "success", result.success ? 1 : 0);
  write_string_attr(g, "termination", std::string(to_string(result.termination)));
  if (!result.subtasks.empty()) {
    // Chain suites: the subtasks in order with their outcomes and control steps, so the
    // boundaries between subtasks are the running sums of the steps.
    write_string_attr(g, "subtasks", subtasks);
    write_int_attr(g, "chain_length", result.chain_length());
    write_subtask_group(g, result.subtasks, b.instructions);
  }
  H5Gclose(g);
  H5Fflush(file_, H5F_SCOPE_GLOBAL);
  ++demos_;
  samples_ += static_cast<long>(t);
  if (std::find(task_indices_.begin(), task_indices_.end(), b.spec.task_index) ==
      task_indices_.end()) {
    task_indices_.push_back(b.spec.task_index);
  }
}

std::vector<int> validation_demos(int demos) {
  const int count = demos < 2 ? 0 : std::max(1, demos / 10);
  std::vector<int> order(static_cast<std::size_t>(demos));
  for (int i = 0; i < demos; ++i) order[static_cast<std::size_t>(i)] = i;
  // Fisher-Yates with mt19937_64 (whose output the standard fixes), so every
  // platform picks the same demos; std::shuffle's algorithm is unspecified.
  std::mt19937_64 rng(kValidationSplitSeed);
  for (int i = demos - 1; i > 0; --i) {
    const auto j = static_cast<int>(rng() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  order.resize(static_cast<std::size_t>(count));
  std::sort(order.begin(), order.end());
  return order;
}

void DemoWriter::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  const SuiteInfo& info = suite_.info();
  write_int_attr(data_, "total", samples_);
  write_int_attr(data_, "num_demos", demos_);
  // The instructions of the tasks recorded here (all of the suite's when none was).
  std::vector<std::string> instructions;
  for (const int t : task_indices_)
    instructions.push_back(suite_.tasks().at(static_cast<std::size_t>(t)).instruction);
  if (instructions.empty()) {
    for (const auto& task : suite_.tasks()) instructions.push_back(task.instruction);
  }
  std::string list = "[";
  for (std::size_t i = 0; i < instructions.size(); ++i)
    list += (i ? ", \"" : "\"") + json_escape(instructions[i]) + "\"";
  list += "]";
  write_string_attr(
      data_, "problem_info",
      "{\"problem_name\": \"" + json_escape(info.name) + "\", \"domain_name\": \"gauntlet\", " +
          "\"language_instruction\": " +
          (instructions.size() == 1 ? "\"" + json_escape(instructions[0]) + "\"" : list) + "}");
  // robomimic's EnvType is an int; gauntlet's own fields are in env_kwargs.
  write_string_attr(
      data_, "env_args",
      "{\"env_name\": \"" + json_escape(info.name) +
          "\", \"type\": " + std::to_string(kRobomimicEnvType) + ", \"env_version\": \"" +
          kHarnessVersion + "\", \"env_kwargs\": {\"simulator\": \"gauntlet\", \"suite\": \"" +
          json_escape(options_.suite_spec.empty() ? info.name : options_.suite_spec) +
          "\", \"backend\": \"" + json_escape(info.backend) + "\", \"suite_hash\": \"" +
          info.content_hash + "\", \"control_freq\": " + std::to_string(info.control_hz) + "}}");
  write_string_attr(data_, "policy_spec", options_.policy_spec);
  write_string_attr(data_, "command", options_.command);
  write_string_attr(data_, "shard", options_.shard);
  H5Gclose(data_);
  data_ = -1;
  // robomimic's filter keys (split_train_val): a validation tenth and the rest.
  const std::vector<int> valid = validation_demos(demos_);
  std::vector<std::string> train_names, valid_names;
  for (int i = 0; i < demos_; ++i) {
    const bool is_valid = std::binary_search(valid.begin(), valid.end(), i);
    (is_valid ? valid_names : train_names).push_back("demo_" + std::to_string(i));
  }
  const hid_t mask =
      checked(H5Gcreate2(file_, "mask", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group mask");
  write_names(mask, "train", train_names);
  write_names(mask, "valid", valid_names);
  H5Gclose(mask);
  H5Fclose(file_);
  file_ = -1;
  std::error_code ec;
  std::filesystem::rename(partial_, path_, ec);
  if (ec) throw InputError("cannot move the demonstration file into place: " + ec.message());
}

}  // namespace gauntlet
