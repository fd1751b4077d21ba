// The purely visual MuJoCo perturbations: edits of a worker's model copy that
// change what cameras see and nothing that physics reads (camera, lighting, texture).
#pragma once

#include <mujoco/mujoco.h>

#include <vector>

#include "harness/rng.hpp"
#include "scenarios/mujoco/scene.hpp"

namespace gauntlet::perturb {

// Texture assets the `texture` dimension paints on; compiled into the scene but
// used by no material until a perturbation binds them.
inline constexpr const char* kTableTexture = "gauntlet_table_tex";
inline constexpr const char* kWallTexture = "gauntlet_wall_tex";
inline constexpr int kTextureSize = 64;
void add_texture_assets(mj::SceneBuilder& scene);

// Orbits `camera` (a fixed camera on the worldbody: agentview, or the
// CALVIN-like mirror's static) about the point it looks at on the table.
// Throws RuntimeFailure when there is none.
void perturb_camera(mjModel* model, int level, Rng& rng, const char* camera = "agentview");
// Every light and the headlight: intensity, colour, direction, shadows.
void perturb_lighting(mjModel* model, int level, Rng& rng);
// Table, wall and floor materials; returns the ids of textures whose pixels
// changed (the caller sends them to the renderer).
std::vector<int> perturb_textures(mjModel* model, int level, Rng& rng);

}  // namespace gauntlet::perturb
