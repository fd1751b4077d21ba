// The object library's families, each adding its models to the catalog
// (internal to suites/libero/objects).
#pragma once

#include <vector>

#include "suites/libero/objects/model.hpp"

namespace gauntlet::suites::libero {

void add_tableware(std::vector<ObjectModel>& out);         // bowls, plates, mugs, basket, ...
void add_groceries(std::vector<ObjectModel>& out);         // boxes, cans, cartons, bottles
void add_kitchen_fixtures(std::vector<ObjectModel>& out);  // cabinets, stove, microwave
void add_furniture(std::vector<ObjectModel>& out);         // wine rack, caddy, shelf, tables

// Footprint and default obstacle of a model whose footprint is a box.
void set_box_footprint(ObjectModel& m, double half_x, double half_y, double height);
// Footprint of a round model.
void set_round_footprint(ObjectModel& m, double radius, double height);

}  // namespace gauntlet::suites::libero
