// What a checkpoint trained elsewhere expects to see and what its numbers
// mean, as policy spec options every adapter takes (the adapter never sees
// them; Registry::make_policy wraps it):
//
//   actions=NAME        a named action convention (harness/action_convention.hpp)
//                       or `raw` (no conversion: the suite's own action space)
//   action_scale=S,...  a = a * scale + offset, per dimension of the suite's
//   action_offset=O,... action space, AFTER the convention (or instead of one);
//                       one number is broadcast to every dimension
//   state=LAYOUT        default | libero | joints (the proprio vector's layout)
//   flip=180            rotates every camera image by 180 degrees
//   resize_with_pad=H,W openpi's resize_with_pad of every camera image (after flip)
//
// docs/adapters.md ("Checkpoints trained elsewhere") lists which checkpoint
// families need which.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/policy.hpp"
#include "harness/policy_spec.hpp"

namespace gauntlet {

struct PolicyIo {
  std::string where;                  // "policy spec '...'", for errors
  std::string actions;                // convention name, "raw", or "" (not given)
  std::vector<double> action_scale;   // empty: 1; one number: broadcast
  std::vector<double> action_offset;  // empty: 0; one number: broadcast
  std::string state = "default";      // default | libero | joints
  bool flip_180 = false;
  int pad_height = 0;  // resize_with_pad=H,W; 0 when not given
  int pad_width = 0;

  bool affects_observations() const { return state != "default" || flip_180 || pad_height > 0; }
  // Canonical texts the results header records ("" when the option is off):
  // equal texts mean equal conversions (1,1,1 == 1; scale 1 and offset 0 == "").
  std::string scale_text() const;
  std::string offset_text() const;
  std::string image_text() const;  // e.g. "flip=180;resize_with_pad=224,224"
};

// The option names above; Registry::make_policy strips them from the spec.
const std::vector<std::string>& policy_io_options();

// Reads and checks the options of `spec`; InputError naming the spec, the
// option and what was expected (a count, a number, a layout, ...).
PolicyIo parse_policy_io(const PolicySpec& spec);

// The state layouts: the names of the proprio entries a layout gives on a
// robot whose native layout is `native` (RobotDescription::proprio_names);
// InputError (naming `what`) when the robot lacks what the layout needs.
std::vector<std::string> state_layout_names(const std::string& layout,
                                            const std::vector<std::string>& native,
                                            const std::string& what);
// Fills `out` with the layout's numbers from a native proprio vector.
void apply_state_layout(const std::string& layout, const std::vector<std::string>& native_names,
                        const std::vector<float>& native, std::vector<float>& out);

// LIBERO's 8-number state (robosuite's robot0_eef_pos, quat2axisangle of
// robot0_eef_quat, robot0_gripper_qpos) from gauntlet's native first 8.
void libero_state_from_native(const float* native8, float* out8);

// Wraps `inner` (already wrapped in its action convention) so that it sees
// observations in `io`'s layout and its actions are scaled and offset.
// Returns `inner` unchanged when `io` changes nothing.
std::unique_ptr<Policy> with_policy_io(std::unique_ptr<Policy> inner, const PolicyIo& io);

}  // namespace gauntlet
