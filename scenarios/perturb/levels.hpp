// The documented parameters of every perturbation dimension at severity levels
// 1..5: the single source that the appliers use and `gauntlet list perturbations` prints.
#pragma once

namespace gauntlet::perturb {

inline constexpr int kMaxLevel = 5;

// Each magnitude below is the largest one at that level: an episode draws a
// fraction u in [0.5, 1] (and a sign or direction) once from its perturbation
// stream and scales it by the level, so level L+1 of an episode is level L pushed further.

// Agentview camera orbited about the point it looks at on the table.
struct CameraLevel {
  double azimuth_deg;     // orbit about the vertical through the look-at point
  double elevation_deg;   // orbit up or down
  double distance_frac;   // closer or farther, fraction of the distance
  double roll_deg;        // about the optical axis
  double fovy_deg;        // wider or narrower vertical field of view
  double target_shift_m;  // the look-at point moves on the table (pan/tilt)
};
CameraLevel camera_level(int level);

// Every light (and the headlight).
struct LightingLevel {
  double intensity_log;    // diffuse and specular scaled by exp(+-value)
  double direction_deg;    // directional lights turned about a horizontal axis
  double tint;             // colour blended this far from white toward a random hue
  double shadow_off_prob;  // chance that shadows are off (monotone in level for an episode)
};
LightingLevel lighting_level(int level);

// Table, backdrop wall and floor.
struct TextureLevel {
  double colour_shift;  // colour blended this far toward a random colour
  double contrast;      // contrast of a procedural pattern (checker, stripes, grain, tiles)
};
TextureLevel texture_level(int level);

struct DistractorsLevel {
  int count;           // extra objects on the table
  double clearance_m;  // free space kept around the task's objects and their paths
};
DistractorsLevel distractors_level(int level);

// Task objects and fixtures that sit on the worldbody.
struct LayoutLevel {
  double displacement_m;  // each object moved this far in a random direction
  double yaw_deg;         // and objects (not fixtures) turned about the vertical
};
LayoutLevel layout_level(int level);

struct RobotInitLevel {
  double offset_m;  // tool centre point moved from its home position
  double yaw_deg;
  double tilt_deg;     // fingers tilted away from pointing down
  double closed_frac;  // gripper starts this far closed (0 open .. 1 closed)
  double joint_rad;    // arms: each joint starts up to this far off its solved position
};
RobotInitLevel robot_init_level(int level);

// Operations are cumulative: level L applies every operation of levels <= L.
struct LanguageLevel {
  int synonyms;            // words or phrases replaced by a synonym (at most)
  bool paraphrase;         // a paraphrase template frames the instruction
  bool reorder;            // clauses (or a prepositional phrase) reordered
  bool distractor_clause;  // an irrelevant sentence added
  int typos;               // words with two letters swapped or one doubled
};
LanguageLevel language_level(int level);

struct SensorNoiseLevel {
  double gaussian_sigma;  // per-pixel noise, 0..255 units
  double blur_sigma_px;   // Gaussian blur
  int jpeg_quality;       // JPEG-like 8x8 DCT quantisation (100: none)
  int dropout_patches;    // grey squares per frame
  int patch_px;           // their side
  double colour_jitter;   // brightness, contrast, saturation changes (fraction) per episode
};
SensorNoiseLevel sensor_noise_level(int level);

// Task bodies (objects, fixtures and their parts) and joints.
struct DynamicsLevel {
  double friction_log;  // friction scaled by exp(+-value)
  double mass_log;      // object mass and inertia scaled by exp(+-value)
  double damping_log;   // joint damping (articulations and fingers) scaled by exp(value)
};
DynamicsLevel dynamics_level(int level);

struct ActionLevel {
  double noise_frac;  // Gaussian noise on the six motion components, fraction of the bound
  int latency_steps;  // actions applied this many control steps late
};
ActionLevel action_level(int level);

}  // namespace gauntlet::perturb
