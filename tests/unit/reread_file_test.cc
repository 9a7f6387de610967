#include "kernel/reread_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace halfopen {
namespace {

using ::testing::HasSubstr;

TEST(RereadFile, ReadsTheFileAnewEachTime) {
  char path[] = "/tmp/halfopen-reread-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "first";
  RereadFile file;
  ASSERT_TRUE(file.Open(path).ok());
  std::vector<char> buffer(4);  // Smaller than the file: it must grow.
  std::string_view text;
  ASSERT_TRUE(file.Read(&buffer, &text).ok());
  EXPECT_EQ(text, "first");
  std::ofstream(path) << std::string(10000, 'x');
  ASSERT_TRUE(file.Read(&buffer, &text).ok());
  EXPECT_EQ(text.size(), 10000u);
  unlink(path);
}

TEST(RereadFile, ProcfsFilesAreGeneratedAgainFromTheStart) {
  RereadFile file;
  ASSERT_TRUE(file.Open("/proc/self/stat").ok());
  std::vector<char> buffer;
  std::string_view text;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(file.Read(&buffer, &text).ok());
    EXPECT_THAT(std::string(text), HasSubstr(std::to_string(getpid()) + " ("));
  }
}

TEST(RereadFile, ErrorsNameThePath) {
  RereadFile file;
  const Status status = file.Open("/nonexistent/halfopen");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/halfopen"));
  std::vector<char> buffer;
  std::string_view text;
  EXPECT_FALSE(file.Read(&buffer, &text).ok());
}

}  // namespace
}  // namespace halfopen
