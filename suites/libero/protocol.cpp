#include "suites/libero/protocol.hpp"

namespace gauntlet::suites::libero {

int libero_step_limit(std::string_view folder) {
  if (folder == "libero_spatial") return 220;
  if (folder == "libero_object") return 280;
  if (folder == "libero_goal") return 300;
  if (folder == "libero_10") return 520;
  if (folder == "libero_90") return 400;
  return 0;
}

void apply_libero_scene(mj::MujocoSuiteConfig& config) {
  config.workspace.lo = kLiberoWorkspaceLo;
  config.workspace.hi = kLiberoWorkspaceHi;
  config.scene.agentview_pos = kLiberoAgentviewPos;
  config.scene.agentview_target = kLiberoAgentviewTarget;
  config.scene.agentview_fovy = kLiberoAgentviewFovy;
  config.scene.robot_base = kLiberoRobotBase;
}

}  // namespace gauntlet::suites::libero
