#include "suites/libero/goal_expert.hpp"

#include <algorithm>
#include <stdexcept>

#include "suites/libero/expert/skills.hpp"
#include "suites/libero/expert/targets.hpp"

namespace gauntlet::suites::libero {
namespace {

struct Stage {
  Condition cond;
  int serves = -1;     // a synthesised opening: the placement stage it makes possible
  double target = 0;   // articulation target (joint value)
  double done_at = 0;  // the stage holds past this joint value
  int clears = -1;     // moves the subject out from under the drawer this opening stage pulls
};

bool raises(PredicateKind k) {
  return k == PredicateKind::kOpen || k == PredicateKind::kTurnOn;
}

class GoalExpert final : public Expert {
 public:
  explicit GoalExpert(std::shared_ptr<const ResolvedScene> scene) : scene_(std::move(scene)) {
    plan();
  }

  void act(const Observation& obs, std::span<float> a) override {
    if (!obs.privileged) throw std::runtime_error("the LIBERO expert needs privileged state");
    const WorldView w(*scene_, *obs.privileged);
    // A skill that finishes this step may not have written an action: the
    // next skill acts in the same step, or the gripper holds still. (Reusing
    // whatever the buffer held would make episodes depend on memory.)
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!skill_) {
        for (std::size_t i = 0; i < stages_.size() && !skill_; ++i) {
          if (!holds(w, i)) skill_ = start(w, stages_[i]);
        }
      }
      if (!skill_) break;
      std::fill(a.begin(), a.end(), 0.0f);
      if (!skill_->act(w, a)) return;
      skill_.reset();
    }
    // Everything holds (or nothing can be done): stay still, fingers open.
    std::fill(a.begin(), a.end(), 0.0f);
    a[6] = -1.0f;
  }

 private:
  void plan() {
    const auto& goal = scene_->goal;
    for (const Condition& c : goal) {
      if (c.kind == PredicateKind::kTurnOn || c.kind == PredicateKind::kTurnOff)
        add_articulation(c);
    }
    for (const Condition& c : goal) {
      if (c.kind == PredicateKind::kOpen) add_articulation(c);
    }
    // A placement goes before any placement onto the thing it moves (the
    // plate is moved before the bowl is put on it).
    std::vector<const Condition*> placements;
    for (const Condition& c : goal) {
      if (!c.is_placement()) continue;
      auto at = placements.end();
      for (auto it = placements.begin(); it != placements.end(); ++it) {
        if ((*it)->place.owner == c.subject) {
          at = it;
          break;
        }
      }
      placements.insert(at, &c);
    }
    for (const Condition* c : placements) {
      const ContainerSpec* k =
          c->place.kind == Place::Kind::kContainer ? c->place.container : nullptr;
      if (k && k->needs_open) {
        Condition open;
        open.kind = PredicateKind::kOpen;
        open.subject = c->place.owner;
        const ObjectModel& m = *scene_->entities[static_cast<std::size_t>(open.subject)].model;
        for (std::size_t i = 0; i < m.articulations.size(); ++i) {
          if (m.articulations[i].region == k->articulation) open.articulation = static_cast<int>(i);
        }
        if (open.articulation >= 0) {
          // A drawer pulled out over the object would keep the hand from
          // reaching it: the object is moved aside first (when it is there).
          const bool drawer =
              scene_->articulation(open).kind == ArticulationKind::kDrawer &&
              scene_->entities[static_cast<std::size_t>(c->subject)].model->grasp.style ==
                  GraspStyle::kAcross;
          if (drawer) {
            Stage clear{*c, -1, 0, 0, static_cast<int>(stages_.size()) + 1};
            stages_.push_back(clear);
          }
          add_articulation(open);
          Stage& s = stages_.back();
          s.serves = static_cast<int>(stages_.size());
          // Pull a drawer all the way: its content goes into the part outside.
          s.target = scene_->articulation(open).max - 0.004;
          s.done_at = std::min(
              s.target,
              0.012 + 2 * scene_->entities[static_cast<std::size_t>(c->subject)].model->radius +
                  0.03);
          if (scene_->articulation(open).kind == ArticulationKind::kDoor)
            s.done_at = scene_->articulation(open).open_at;
        }
      }
      stages_.push_back(Stage{*c, -1, 0, 0});
    }
    for (const Condition& c : goal) {
      if (c.kind == PredicateKind::kClose) add_articulation(c);
    }
  }

  void add_articulation(const Condition& c) {
    const ArticulationSpec& a = scene_->articulation(c);
    Stage s{c, -1, 0, 0};
    if (raises(c.kind)) {
      s.target = a.kind == ArticulationKind::kKnob ? std::min(a.max - 0.1, a.open_at + 0.5)
                                                   : std::min(a.max - 0.004, a.open_at + 0.04);
      s.done_at = a.open_at + 0.01;
    } else {
      s.target = a.kind == ArticulationKind::kDoor ? a.closed_at - 0.03
                                                   : std::max(0.0, a.closed_at - 0.01);
      if (a.kind == ArticulationKind::kKnob) s.target = 0.0;
      s.done_at = a.closed_at - 0.004;
    }
    stages_.push_back(s);
  }

  bool holds(const WorldView& w, std::size_t i) const {
    const Stage& s = stages_[i];
    if (s.clears >= 0) {
      const Stage& open = stages_[static_cast<std::size_t>(s.clears)];
      if (holds(w, static_cast<std::size_t>(s.clears))) return true;  // open, or its content placed
      // Done once the object stands clear of where the open drawer will be
      // (with some slack, so that a spot just found counts).
      return distance_to_drawer(w, open.cond.subject, open.cond.articulation, open.target,
                                w.frame(s.cond.subject).pos) >= kHandRoomToDrawer - 0.02;
    }
    if (s.cond.is_placement()) return w.placed(s.cond);
    if (s.serves >= 0 && w.placed(stages_[static_cast<std::size_t>(s.serves)].cond)) return true;
    const double q = w.joint(s.cond.subject, s.cond.articulation);
    return raises(s.cond.kind) ? q >= s.done_at : q <= s.done_at;
  }

  std::unique_ptr<Skill> start(const WorldView& w, const Stage& s) const {
    if (s.clears >= 0) {
      const Stage& open = stages_[static_cast<std::size_t>(s.clears)];
      const auto spot = spot_clear_of_drawer(w, s.cond.subject, open.cond.subject,
                                             open.cond.articulation, open.target);
      return spot ? make_move_skill(s.cond.subject, *spot) : nullptr;
    }
    if (s.cond.is_placement()) return make_place_skill(s.cond);
    const ArticulationSpec& a = scene_->articulation(s.cond);
    const bool up = raises(s.cond.kind);
    switch (a.kind) {
      case ArticulationKind::kDrawer:
        return make_drawer_skill(s.cond.subject, s.cond.articulation, up, s.target);
      case ArticulationKind::kKnob:
        return make_knob_skill(s.cond.subject, s.cond.articulation, s.target);
      case ArticulationKind::kDoor:
        // Opening a door from outside is not scripted (no LIBERO task of the
        // four suites needs it); the stage is left to the policy.
        if (up) return nullptr;
        return make_door_close_skill(s.cond.subject, s.cond.articulation, s.target);
    }
    return nullptr;
  }

  std::shared_ptr<const ResolvedScene> scene_;
  std::vector<Stage> stages_;
  std::unique_ptr<Skill> skill_;
};

}  // namespace

std::unique_ptr<Expert> make_goal_expert(std::shared_ptr<const ResolvedScene> scene) {
  return std::make_unique<GoalExpert>(std::move(scene));
}

}  // namespace gauntlet::suites::libero
