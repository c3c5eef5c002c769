#include <doctest/doctest.h>

#include "compiler/edits.h"

using namespace alembic_fix;

TEST_CASE("splice copies every byte no edit touches") {
  std::string text = "a\r\n\tb  \nc";
  auto edits = sorted_edits({{3, 8, ""}, {0, 0, "x\n"}});
  CHECK(splice(text, edits) == "x\na\r\nc");
}

TEST_CASE("overlapping edits are refused") {
  CHECK_THROWS_AS(sorted_edits({{0, 5, ""}, {3, 7, ""}}), OverlapError);
  CHECK_THROWS_AS(sorted_edits({{2, 2, "a"}, {2, 2, "b"}}), OverlapError);
  CHECK_NOTHROW(sorted_edits({{0, 2, ""}, {2, 4, ""}}));
}

TEST_CASE("unified diff: seven unchanged lines between changes make two hunks") {
  std::string text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  auto edits = sorted_edits({{2, 4, ""}, {18, 18, "new\n"}});
  CHECK(unified_diff(text, edits, "f.py") ==
        "--- f.py\t\n+++ f.py\t\n"
        "@@ -1,5 +1,4 @@\n 1\n-2\n 3\n 4\n 5\n"
        "@@ -7,4 +6,5 @@\n 7\n 8\n 9\n+new\n 10\n");
}

TEST_CASE("diff hunks far apart stay separate and count lines right") {
  std::string text;
  for (int i = 1; i <= 20; ++i) text += std::to_string(i) + "\n";
  // remove line 2 (bytes 2..4) and line 19 ("19\n" starts at offset 45)
  size_t at19 = text.find("19\n");
  auto edits = sorted_edits({{2, 4, ""}, {at19, at19 + 3, ""}});
  std::string d = unified_diff(text, edits, "f");
  CHECK(d.find("@@ -1,5 +1,4 @@\n 1\n-2\n 3\n 4\n 5\n") != std::string::npos);
  CHECK(d.find("@@ -16,5 +15,4 @@\n 16\n 17\n 18\n-19\n 20\n") != std::string::npos);
}

TEST_CASE("diff marks a missing final newline") {
  std::string text = "a\nb";
  auto edits = sorted_edits({{0, 2, ""}});
  CHECK(unified_diff(text, edits, "f") == "--- f\t\n+++ f\t\n@@ -1,2 +1,1 @@\n-a\n b\n\\ No newline at end of file\n");
}
