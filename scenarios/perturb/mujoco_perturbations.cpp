#include "scenarios/perturb/mujoco_perturbations.hpp"

#include <algorithm>

#include "harness/env.hpp"
#include "harness/errors.hpp"
#include "scenarios/perturb/action_noise.hpp"
#include "scenarios/perturb/appearance.hpp"
#include "scenarios/perturb/dimensions.hpp"
#include "scenarios/perturb/image_noise.hpp"
#include "scenarios/perturb/language.hpp"
#include "scenarios/perturb/levels.hpp"
#include "scenarios/perturb/placement.hpp"
#include "scenarios/perturb/streams.hpp"
#include "scenarios/render/scene_renderer.hpp"

namespace gauntlet::perturb {
namespace {

class Provider;

class Perturber final : public mj::EpisodePerturber {
 public:
  explicit Perturber(const Provider& provider) : provider_(provider) {}

  bool edit_model(const EpisodeSpec& spec, const mj::MjTask& task, const mj::MjSim& sim,
                  render::SceneRenderer* renderer) override {
    bool edited = false;
    mjModel* m = sim.model();
    for (const auto& [dim, level] : spec.perturbation.items) {
      // Plans are validated against the suite; this guards programmatic specs.
      if (!provider_supports(dim)) {
        throw SimulationError("perturbation dimension '" + dim +
                              "' is not supported by this suite");
      }
      Rng rng(dimension_seed(spec.seed, dim));
      if (dim == "camera") {
        perturb_camera(m, level, rng);
        edited = true;
      } else if (dim == "lighting") {
        perturb_lighting(m, level, rng);
        edited = true;
      } else if (dim == "texture") {
        for (const int tex : perturb_textures(m, level, rng)) {
          if (renderer) renderer->upload_texture(m, tex);
        }
        edited = true;
      } else if (dim == "dynamics") {
        perturb_dynamics(sim, task, level, rng);
        edited = true;
      }
    }
    sensor_level_ = level_of(spec.perturbation, "sensor_noise");
    sensor_seed_ = dimension_seed(spec.seed, "sensor_noise");
    action_.reset(level_of(spec.perturbation, "action"), dimension_seed(spec.seed, "action"),
                  space_, {0, 0, 0, 0, 0, 0, -1});
    return edited;
  }

  bool edit_state(const EpisodeSpec& spec, const mj::MjTask& task, const mj::MjSim& sim,
                  mj::GripperStart& gripper) override;

  void edit_image(const std::string& camera, int step, Image& image) override {
    if (sensor_level_ == 0) return;
    const std::uint64_t camera_seed = derive_seed(sensor_seed_, name_hash(camera));
    apply_sensor_noise(image, sensor_level_, camera_seed,
                       derive_seed(camera_seed, static_cast<std::uint64_t>(step) + 1));
  }

  void edit_action(int step, std::span<float> action) override { action_.apply(step, action); }

 private:
  bool provider_supports(const std::string& dim) const;

  const Provider& provider_;
  ActionSpace space_ = ee_delta_action_space();
  int sensor_level_ = 0;
  std::uint64_t sensor_seed_ = 0;
  ActionPerturbation action_;
};

class Provider final : public mj::PerturbationProvider {
 public:
  Provider(std::vector<std::string> dims, std::shared_ptr<const DistractorSource> distractors)
      : dims_(std::move(dims)), distractors_(std::move(distractors)) {
    for (const auto& d : dims_) dimension_info(d);  // throws for unknown names
  }

  std::vector<std::string> dimensions() const override { return dims_; }
  bool supports(const std::string& dim) const {
    return std::find(dims_.begin(), dims_.end(), dim) != dims_.end();
  }
  const DistractorSource& distractors() const { return *distractors_; }

  int variants() const override { return supports("distractors") ? 2 : 1; }
  int scene_variant(const PerturbationSet& set) const override {
    return level_of(set, "distractors") > 0 && supports("distractors") ? 1 : 0;
  }

  void extend_scene(mj::SceneBuilder& scene, const mj::MjTask& /*task*/,
                    int variant) const override {
    if (supports("texture")) add_texture_assets(scene);
    if (variant == 1) {
      for (int slot = 0; slot < distractors_->slots(); ++slot) {
        distractors_->build(scene, slot, distractor_body_name(slot), parked_position(slot));
      }
    }
  }

  std::string version() const override {
    std::vector<std::string> sorted = dims_;
    std::sort(sorted.begin(), sorted.end());
    return std::string(kPerturbationCodeVersion) + " dims=" + join_names(sorted, ",") +
           (supports("distractors") ? " " + distractors_->version() : std::string());
  }

  std::string instruction(const EpisodeSpec& spec, const std::string& nominal) const override {
    return perturb_instruction(nominal, level_of(spec.perturbation, "language"),
                               dimension_seed(spec.seed, "language"));
  }

  std::unique_ptr<mj::EpisodePerturber> make_perturber() const override {
    return std::make_unique<Perturber>(*this);
  }

 private:
  std::vector<std::string> dims_;
  std::shared_ptr<const DistractorSource> distractors_;
};

bool Perturber::provider_supports(const std::string& dim) const {
  return provider_.supports(dim);
}

bool Perturber::edit_state(const EpisodeSpec& spec, const mj::MjTask& task, const mj::MjSim& sim,
                           mj::GripperStart& gripper) {
  bool edited = false;
  if (const int level = level_of(spec.perturbation, "layout"); level > 0) {
    Rng rng(dimension_seed(spec.seed, "layout"));
    edited = displace_layout(sim, task, level, rng);
    mj_kinematics(sim.model(), sim.data());
  }
  if (const int level = level_of(spec.perturbation, "distractors"); level > 0) {
    Rng rng(dimension_seed(spec.seed, "distractors"));
    const DistractorsLevel p = distractors_level(level);
    place_distractors(sim, task, provider_.distractors(), p.count, p.clearance_m, rng);
    edited = true;  // woken distractors are visible and solid in the model copy
  }
  if (const int level = level_of(spec.perturbation, "robot_init"); level > 0) {
    Rng rng(dimension_seed(spec.seed, "robot_init"));
    perturb_gripper_start(gripper, level, rng);
  }
  return edited;
}

}  // namespace

std::shared_ptr<const mj::PerturbationProvider> make_mujoco_perturbations(
    std::vector<std::string> dimensions, std::shared_ptr<const DistractorSource> distractors) {
  return std::make_shared<const Provider>(std::move(dimensions), std::move(distractors));
}

}  // namespace gauntlet::perturb
