#include "exporter/process_metrics.h"

#include <gtest/gtest.h>

namespace halfopen {
namespace {

TEST(ProcStat, ReadsTimesAndMemoryAfterACommandWithSpacesAndParens) {
  const std::string line =
      "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 1200 0 0 0 "
      "150 37 0 0 20 0 9 0 123456 98765432 2345 18446744073709551615 1 1 0 0 "
      "0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat(line, &stat).ok());
  EXPECT_EQ(stat.user_ticks, 150);
  EXPECT_EQ(stat.system_ticks, 37);
  EXPECT_EQ(stat.start_ticks, 123456);
  EXPECT_EQ(stat.virtual_bytes, 98765432);
  EXPECT_EQ(stat.resident_pages, 2345);
}

TEST(ProcStat, RejectsTruncatedAndNonNumericLines) {
  ProcStat stat;
  EXPECT_EQ(ParseProcStat("1 (x) S 1 2 3", &stat).message(),
            "/proc/self/stat: fewer than 24 fields");
  EXPECT_EQ(ParseProcStat("no parenthesis", &stat).message(),
            "/proc/self/stat: no ')' after the command name");
  EXPECT_EQ(ParseProcStat("1 (x) S 1 2 3 4 5 6 7 8 9 10 abc", &stat).message(),
            "/proc/self/stat: field 14 is not a number");
}

TEST(BootTime, ReadsTheBtimeLine) {
  double boot = 0;
  ASSERT_TRUE(
      ParseBootTime("cpu 1 2 3\nbtime 1700000000\nprocesses 9\n", &boot).ok());
  EXPECT_EQ(boot, 1700000000);
  EXPECT_EQ(ParseBootTime("cpu 1\n", &boot).message(),
            "/proc/stat: no btime line");
}

TEST(ProcessMetrics, ReportsEverySeriesOfThisProcess) {
  std::vector<std::string> names;
  for (const auto& family : CollectProcessMetrics())
    names.push_back(family.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "process_cpu_seconds_total", "process_resident_memory_bytes",
                "process_virtual_memory_bytes", "process_start_time_seconds",
                "process_open_fds", "process_max_fds",
                "process_virtual_memory_max_bytes"}));
}

}  // namespace
}  // namespace halfopen
