// Per-episode agreement of a binary evaluator: confusion counts, ensemble
// votes, selective accuracy, and per-episode tables built from grouped scores.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "metrics/confusion.hpp"
#include "metrics/evaluation_table.hpp"

using namespace gauntlet::metrics;

TEST_CASE("Confusion counts add up paired episodes cell by cell", "[metrics][confusion]") {
  ConfusionMatrix m;
  m.add(true, true);
  m.add(true, false);
  m.add(false, true);
  m.add(false, true);
  m.add(false, false);
  CHECK(m.true_positive == 1);
  CHECK(m.false_negative == 1);
  CHECK(m.false_positive == 2);
  CHECK(m.true_negative == 1);
  const bool ref[] = {true, true, false, false, false};
  const bool pred[] = {true, false, true, true, false};
  const ConfusionMatrix n = confusion_matrix(ref, pred);
  CHECK(n.true_positive == m.true_positive);
  CHECK(n.false_positive == m.false_positive);
  CHECK(n.total() == 5);
}

TEST_CASE(
    "An ensemble's majority vote counts ties as success and its disagreement peaks at an even "
    "split",
    "[metrics][confusion]") {
  CHECK(majority_vote(1, 1));
  CHECK_FALSE(majority_vote(0, 1));
  CHECK(majority_vote(1, 2));
  CHECK_FALSE(majority_vote(1, 3));
  CHECK(majority_vote(2, 3));
  CHECK(vote_disagreement(0, 4) == 0.0);
  CHECK(vote_disagreement(4, 4) == 0.0);
  CHECK(vote_disagreement(2, 4) == 0.25);
  CHECK(vote_disagreement(1, 4) == Approx(0.1875));
}

TEST_CASE("Selective accuracy drops the most uncertain episodes but never a cell's last one",
          "[metrics][confusion]") {
  // Cell 0 holds episodes 0-2, cell 1 episodes 3-4. The two most uncertain are
  // both wrong; episode 4 is cell 1's other episode.
  const std::vector<JudgedEpisode> episodes = {{0.25, 0.0, false, 0},
                                               {0.0, 0.0, true, 0},
                                               {0.0, 0.1, true, 0},
                                               {0.25, 0.2, false, 1},
                                               {0.1875, 0.0, true, 1}};
  const double fractions[] = {0.0, 0.4, 0.8};
  const auto rows = selective_accuracy(episodes, fractions);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].kept == 5);
  CHECK(rows[0].accuracy_kept == Approx(0.6));
  CHECK(std::isnan(rows[0].accuracy_discarded));
  // q = 0.4: two dropped, most uncertain first, the larger tie-break first (episode 3, then 0).
  CHECK(rows[1].kept == 3);
  CHECK(rows[1].kept_mask == std::vector<bool>{false, true, true, false, true});
  CHECK(rows[1].accuracy_kept == 1.0);
  CHECK(rows[1].accuracy_discarded == 0.0);
  // q = 0.8 asks for four; cell 1 keeps episode 4 and cell 0 its last, so three go.
  CHECK(rows[2].kept == 2);
  CHECK(rows[2].kept_mask == std::vector<bool>{false, true, false, false, true});
  CHECK(rows[2].accuracy_discarded == Approx(1.0 / 3.0));
}

TEST_CASE("A per-episode table from grouped scores has rates, blocks and missing tasks",
          "[metrics][csv]") {
  const std::vector<std::vector<std::vector<double>>> scores = {{{1, 0, 1}, {0, 0}}, {{1}, {}}};
  const EvaluationTable t = per_episode_table({"a", "b"}, {"t1", "t2"}, scores);
  CHECK(t.per_episode);
  CHECK(t.rate[0][0] == Approx(2.0 / 3.0));
  CHECK(t.rate[0][1] == 0.0);
  CHECK(t.rate[1][0] == 1.0);
  CHECK(std::isnan(t.rate[1][1]));
  CHECK(t.episode_tasks[0] == std::vector<std::size_t>{0, 1});
  CHECK(t.episode_tasks[1] == std::vector<std::size_t>{0});
  CHECK(t.episodes[0].episodes() == 5);
  CHECK_THROWS_AS(per_episode_table({"a"}, {"t1", "t2"}, scores), std::invalid_argument);
}
