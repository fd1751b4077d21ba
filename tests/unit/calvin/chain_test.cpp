// Chain sampling (reproducible, feasible, CALVIN's rules) and chain files
// (frozen lists; bad files fail with file, line and what was expected).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "harness/errors.hpp"
#include "suites/calvin/chains.hpp"

using namespace gauntlet;
using namespace gauntlet::suites::calvin;

TEST_CASE("Chains are reproducible from the suite seed and index, and feasible",
          "[calvin][chains]") {
  std::set<std::string> firsts;
  std::map<std::string, int> seen;
  for (int i = 0; i < 300; ++i) {
    const Chain a = sample_chain(1004, i);
    const Chain b = sample_chain(1004, i);
    CHECK(a.tasks == b.tasks);
    CHECK(a.init == b.init);
    CHECK(chain_problem(a).empty());
    std::set<std::string> categories;
    for (const int t : a.tasks) {
      categories.insert(subtasks()[static_cast<std::size_t>(t)].category);
      ++seen[subtasks()[static_cast<std::size_t>(t)].name];
    }
    CHECK(categories.size() == 5);
    const auto on_table = std::count(a.init.blocks.begin(), a.init.blocks.end(), Place::kTable);
    CHECK(on_table >= 1);
    CHECK(on_table <= 2);
    std::string key;
    for (const int t : a.tasks) key += std::to_string(t) + ",";
    firsts.insert(key);
  }
  CHECK(firsts.size() > 250);  // chains differ between indices
  // Over 300 chains every one of the 34 subtasks appears.
  CHECK(seen.size() == 34);
  // Another seed, other chains.
  int same = 0;
  for (int i = 0; i < 50; ++i) same += sample_chain(1004, i).tasks == sample_chain(7, i).tasks;
  CHECK(same < 5);
}

TEST_CASE("Infeasible chains are named", "[calvin][chains]") {
  Chain c = sample_chain(1, 0);
  c.init.drawer_open = false;
  c.tasks = {subtask_index("close_drawer"), subtask_index("turn_on_led"),
             subtask_index("move_slider_left"), subtask_index("rotate_red_block_left"),
             subtask_index("push_blue_block_left")};
  CHECK_THAT(chain_problem(c), Catch::Contains("'close_drawer' is not feasible"));
  c.init.drawer_open = true;
  c.tasks[1] = subtask_index("open_drawer");
  CHECK_THAT(chain_problem(c), Catch::Contains("repeats category 'drawer'"));
  c.tasks[1] = subtask_index("place_in_drawer");  // nothing is grasped
  CHECK_THAT(chain_problem(c), Catch::Contains("'place_in_drawer' is not feasible"));
}

TEST_CASE("Chain files round-trip and bad ones fail with file and line", "[calvin][chains]") {
  std::vector<Chain> chains;
  for (int i = 0; i < 4; ++i) chains.push_back(sample_chain(3, i));
  const std::string text = chains_to_json(chains);
  const auto back = parse_chain_file(text, "c.json");
  REQUIRE(back.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(back[i].tasks == chains[i].tasks);
    CHECK(back[i].init == chains[i].init);
  }
  const std::string init =
      R"({"led": 0, "lightbulb": 1, "slider": "right", "drawer": "closed", "red_block": "table",
          "blue_block": "slider_left", "pink_block": "slider_right", "grasped": 0})";
  const auto parse = [](const std::string& t) { return parse_chain_file(t, "eval.json"); };
  // CALVIN's own format.
  const auto good = parse("[\n [" + init +
                          ", [\"open_drawer\", \"turn_off_lightbulb\", \"lift_red_block_table\", "
                          "\"place_in_drawer\", \"turn_on_led\"]]\n]");
  REQUIRE(good.size() == 1);
  CHECK(good[0].init.bulb);
  CHECK_THROWS_WITH(parse("[\n [1, 2,"), Catch::Contains("eval.json:2: not valid JSON"));
  CHECK_THROWS_WITH(parse("{}"), Catch::Contains("eval.json:1: expected a non-empty JSON list"));
  const std::string first = "[\n [" + init +
                            ", [\"open_drawer\", \"turn_off_lightbulb\", \"lift_red_block_table\", "
                            "\"place_in_drawer\", \"turn_on_led\"]],\n";
  CHECK_THROWS_WITH(parse(first + " [" + init +
                          ", [\"open_drawer\", \"fly_away\", \"lift_red_block_table\", "
                          "\"place_in_drawer\", \"turn_on_led\"]]\n]"),
                    Catch::Contains("eval.json:4: chain 1: unknown subtask 'fly_away'") &&
                        Catch::Contains("expected one of: rotate_red_block_right"));
  CHECK_THROWS_WITH(parse(first + " [" + init +
                          ", [\"close_drawer\", \"turn_off_lightbulb\", \"lift_red_block_table\", "
                          "\"place_in_drawer\", \"turn_on_led\"]]\n]"),
                    Catch::Contains("eval.json:4: chain 1: infeasible chain: subtask 1 "
                                    "'close_drawer' is not feasible"));
  CHECK_THROWS_WITH(parse("[[" + init + ", [\"open_drawer\"]]]"),
                    Catch::Contains("expected a list of 5 subtask names"));
  std::string bad_init = init;
  bad_init.replace(bad_init.find("\"right\""), 7, "\"middle\"");
  CHECK_THROWS_WITH(parse("[[" + bad_init +
                          ", [\"open_drawer\", \"turn_off_lightbulb\", \"lift_red_block_table\", "
                          "\"place_in_drawer\", \"turn_on_led\"]]]"),
                    Catch::Contains("'slider' is 'middle'; expected one of left, right"));
  CHECK_THROWS_AS(load_chain_file("/nonexistent/chains.json"), InputError);
}
