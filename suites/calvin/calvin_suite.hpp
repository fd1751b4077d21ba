// CALVIN-like suites (calvin-a..d) on the Bullet play table: one task
// (`chains`) whose episode i is chain i (sampled from the suite seed and i, or
// item i of a --chains file), 360 control steps per subtask, stopped at the
// first failure. Images come from a MuJoCo "visual mirror" of the Bullet scene
// drawn by the shared renderer (scenarios/render).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/suite.hpp"
#include "robots/robot_description.hpp"
#include "suites/calvin/chains.hpp"

namespace gauntlet::suites::calvin {

struct DeskLook {
  std::array<float, 4> rgba{0.55f, 0.4f, 0.28f, 1.0f};
  std::string texture = "none";  // none | checker | gradient
  std::array<float, 3> rgb2{0.4f, 0.3f, 0.2f};
};

struct CalvinConfig {
  SuiteInfo info;
  DeskLayout layout;
  DeskLook look;
  std::vector<Chain> chains;  // from --chains; empty: sampled from the seed
  std::string chains_file;
};

class CalvinSuite : public Suite {
 public:
  CalvinSuite(CalvinConfig config, std::shared_ptr<const robots::RobotDescription> robot);

  const SuiteInfo& info() const override { return config_.info; }
  const std::vector<TaskInfo>& tasks() const override { return tasks_; }
  const ActionSpace& action_space() const override { return space_; }
  std::unique_ptr<Env> make_env(const ObservationRequest& request) const override;
  std::unique_ptr<Expert> make_expert(int task_index) const override;
  std::string instruction(const EpisodeSpec& spec) const override;
  // All ten dimensions (docs/calvin.md, "Perturbations").
  std::vector<std::string> perturbation_dimensions() const override;
  // Bullet state plus the chain's progress (demo `states`, replay).
  const SimulatorStates* simulator_states() const override { return states_.get(); }

  // Chain of episode `index` (InputError past the end of a chain file).
  Chain chain(int index) const;
  const CalvinConfig& config() const { return config_; }
  const robots::RobotDescription& robot() const { return *robot_; }
  // The mirror model's MJCF (one mocap body per Bullet body; cameras static, gripper).
  const std::string& mirror_xml() const { return mirror_xml_; }

 private:
  CalvinConfig config_;
  std::shared_ptr<const robots::RobotDescription> robot_;
  std::vector<TaskInfo> tasks_;
  ActionSpace space_;
  std::string mirror_xml_;
  std::unique_ptr<SimulatorStates> states_;
};

// The instruction of the subtask at `position` of an episode: its annotation,
// reworded when the episode's perturbation has `language`.
std::string subtask_instruction(const std::string& annotation, const EpisodeSpec& spec,
                                int position);

// Loads a `backend: bullet` suite file (InputError FILE:LINE on bad fields);
// options.chains names a chain file to run instead of sampled chains.
std::shared_ptr<const Suite> load_calvin_yaml(const std::string& text, const std::string& source,
                                              const SuiteOptions& options);

}  // namespace gauntlet::suites::calvin
