#include "suites/libero/objects/catalog.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "suites/libero/objects/families.hpp"

namespace gauntlet::suites::libero {

std::string part_name(const std::string& instance, const std::string& part) {
  return part.empty() ? instance : instance + "/" + part;
}

mj::XmlElement& ModelBuild::part(mj::XmlElement& parent, const std::string& p,
                                 const geo::Vec3& pos) const {
  return parent.add("body").set("name", part_name(name, p)).set("pos", pos);
}

const SupportSpec* ObjectModel::support(const std::string& region) const {
  for (const auto& s : supports) {
    if (s.region == region) return &s;
  }
  return nullptr;
}

const ContainerSpec* ObjectModel::container(const std::string& region) const {
  for (const auto& c : containers) {
    if (c.region == region) return &c;
  }
  return nullptr;
}

const ArticulationSpec* ObjectModel::articulation(const std::string& region) const {
  for (const auto& a : articulations) {
    if (a.region == region) return &a;
  }
  return nullptr;
}

std::vector<std::string> ObjectModel::region_names() const {
  std::vector<std::string> out;
  const auto add = [&](const std::string& r) {
    if (!r.empty() && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  };
  for (const auto& s : supports) add(s.region);
  for (const auto& c : containers) add(c.region);
  for (const auto& a : articulations) add(a.region);
  return out;
}

void set_box_footprint(ObjectModel& m, double half_x, double half_y, double height) {
  m.half_x = half_x;
  m.half_y = half_y;
  m.radius = std::hypot(half_x, half_y);
  m.height = height;
  m.obstacles = {ObstacleBox{"", {0, 0, height / 2}, {half_x, half_y, height / 2}}};
}

void set_round_footprint(ObjectModel& m, double radius, double height) {
  m.half_x = radius;
  m.half_y = radius;
  m.radius = radius;
  m.height = height;
  m.obstacles = {ObstacleBox{"", {0, 0, height / 2}, {radius, radius, height / 2}}};
}

namespace {

const std::map<std::string, ObjectModel, std::less<>>& catalog() {
  static const std::map<std::string, ObjectModel, std::less<>> models = [] {
    std::vector<ObjectModel> all;
    add_tableware(all);
    add_groceries(all);
    add_kitchen_fixtures(all);
    add_furniture(all);
    std::map<std::string, ObjectModel, std::less<>> m;
    for (auto& model : all) {
      const std::string key = model.category;
      m.emplace(key, std::move(model));
    }
    return m;
  }();
  return models;
}

}  // namespace

const ObjectModel* find_model(std::string_view category) {
  const auto& c = catalog();
  const auto it = c.find(category);
  return it == c.end() ? nullptr : &it->second;
}

std::vector<std::string> model_categories() {
  std::vector<std::string> out;
  for (const auto& [name, m] : catalog()) out.push_back(name);
  return out;
}

}  // namespace gauntlet::suites::libero
