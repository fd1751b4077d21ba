#include "suites/libero/scene_task.hpp"

#include "harness/errors.hpp"
#include "suites/libero/goal_expert.hpp"
#include "suites/libero/placement.hpp"
#include "suites/libero/protocol.hpp"

namespace gauntlet::suites::libero {

SceneTask::SceneTask(TaskInfo info, std::shared_ptr<const ResolvedScene> scene)
    : MjTask(std::move(info)), scene_(std::move(scene)) {
  if (scene_->goal.size() > mj::TaskMemory{}.values.size()) {
    throw InputError(scene_->spec.source + ": too many goal conditions");
  }
  for (const auto& e : scene_->entities) has_glow_ = has_glow_ || !e.model->glow_geoms.empty();
}

void SceneTask::build(mj::SceneBuilder& builder) const {
  // Objects rest on a plane at the table's top: MuJoCo collides a cylinder
  // (a plate, a can, a bowl's foot) with a box at a single point, about which
  // it tips when pushed, but with a plane on a ring of points. The table box
  // stays for the eye.
  if (mj::XmlElement* table = builder.worldbody().find_child("geom", "table")) {
    mj::make_visual_only(*table).set("group", 0.0);
  }
  builder.worldbody()
      .add("geom")
      .set("name", "table_surface")
      .set("type", "plane")
      .set("size",
           {builder.options().table_half_size[0], builder.options().table_half_size[1], 0.05})
      .set("pos", {0, 0, mj::kTableTop})
      .set("rgba", {0, 0, 0, 0})
      .set("group", 3.0);
  if (scene_->table >= 0) {
    const ObjectModel& table = *scene_->entities[static_cast<std::size_t>(scene_->table)].model;
    // LIBERO mounts its arm 0.16 m behind the table's edge, and the living
    // room's table is 0.70 m long, not 1.0 m.
    if (mj::XmlElement* base = builder.worldbody().find_child("body", "robot_base")) {
      base->set("pos", libero_robot_base(table.category, builder.options().robot_base));
    }
    // Otherwise the table's category only changes its colour.
    const mj::Rgba& c = table.table_rgba;
    if (mj::XmlElement* m = builder.asset().find_child("material", "table_mat")) {
      m->set("rgba", c);
    }
    if (mj::XmlElement* g = builder.worldbody().find_child("geom", "table")) g->set("rgba", c);
  }
  for (std::size_t i = 0; i < scene_->entities.size(); ++i) {
    const Entity& e = scene_->entities[i];
    if (e.is_table()) continue;
    // Compiled where :init first puts it; initialize() moves it per episode.
    geo::Vec3 at{0, 0, mj::kTableTop};
    for (const Condition& c : scene_->init) {
      if (c.is_placement() && c.subject == static_cast<int>(i) && c.place.region) {
        at = region_center(*c.place.region);
      }
    }
    mj::XmlElement& root = builder.add_body(e.name, at, !e.is_fixture());
    ModelBuild b{builder, root, e.name};
    e.model->build(b);
  }
}

const SceneIds& SceneTask::ids(const mjModel* model) const {
  std::call_once(ids_once_, [&] { ids_ = SceneIds::resolve(*scene_, model); });
  return ids_;
}

void SceneTask::initialize(const mj::MjSim& sim, Rng& rng, mj::TaskMemory& memory) const {
  const SceneIds& x = ids(sim.model());
  place_initial_state(*scene_, x, sim, rng);
  mj_kinematics(sim.model(), sim.data());
  const GoalEvaluator eval(*scene_, x, sim);
  for (std::size_t i = 0; i < scene_->goal.size(); ++i) {
    memory.values[i] = eval.baseline(scene_->goal[i]);
  }
}

mj::TaskStatus SceneTask::evaluate(const mj::MjSim& sim, mj::TaskMemory& memory) const {
  const SceneIds& x = ids(sim.model());
  if (has_glow_) update_glow(*scene_, x, sim);
  const GoalEvaluator eval(*scene_, x, sim);
  bool all = true;
  double sum = 0.0;
  for (std::size_t i = 0; i < scene_->goal.size(); ++i) {
    const Condition& c = scene_->goal[i];
    if (eval.holds(c)) {
      sum += 1.0;
    } else {
      all = false;
      sum += eval.partial(c, memory.values[i]);
    }
  }
  mj::TaskStatus status;
  status.success = all;
  status.progress = all ? 1.0 : sum / static_cast<double>(scene_->goal.size());
  return status;
}

std::unique_ptr<Expert> SceneTask::make_expert() const {
  return make_goal_expert(scene_);
}

std::vector<std::string> SceneTask::privileged_bodies() const {
  std::vector<std::string> out;
  for (const Entity& e : scene_->entities) {
    if (e.is_table()) continue;
    out.push_back(e.name);
    for (const auto& p : e.model->parts) out.push_back(part_name(e.name, p));
  }
  return out;
}

std::vector<std::string> SceneTask::privileged_joints() const {
  std::vector<std::string> out;
  for (const Entity& e : scene_->entities) {
    for (const auto& a : e.model->articulations) out.push_back(part_name(e.name, a.joint));
  }
  return out;
}

}  // namespace gauntlet::suites::libero
