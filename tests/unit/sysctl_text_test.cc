#include "decode/sysctl_text.h"

#include <gtest/gtest.h>

namespace halfopen {
namespace {

constexpr char kFile[] = "/proc/sys/net/ipv4/tcp_retries2";

TEST(ParseSysctlValue, ReadsAWholeNumberWithItsLineEnd) {
  double value = 0;
  ASSERT_TRUE(ParseSysctlValue(kFile, "15\n", &value).ok());
  EXPECT_EQ(value, 15);
  ASSERT_TRUE(ParseSysctlValue(kFile, "-1 \n\n", &value).ok());
  EXPECT_EQ(value, -1);
  ASSERT_TRUE(ParseSysctlValue(kFile, "2147483647\n", &value).ok());
  EXPECT_EQ(value, 2147483647);
}

TEST(ParseSysctlValue, RejectsJunkNamingTheFileAndTheText) {
  double value = 7;
  EXPECT_EQ(ParseSysctlValue(kFile, "abc\n", &value).message(),
            "/proc/sys/net/ipv4/tcp_retries2: \"abc\" is not a whole number");
  EXPECT_EQ(ParseSysctlValue(kFile, "", &value).message(),
            "/proc/sys/net/ipv4/tcp_retries2: \"\" is not a whole number");
  EXPECT_EQ(ParseSysctlValue(kFile, "4096\t87380\t6291456\n", &value).message(),
            "/proc/sys/net/ipv4/tcp_retries2: \"4096\\t87380\\t6291456\" is "
            "not a whole number");
  EXPECT_EQ(value, 7);
}

// Found by tests/fuzz/sysctl_fuzz: 4444444444444 reached the model's int
// settings through a float-to-int conversion that UBSan reports as
// undefined. The kernel keeps these sysctls in a C int.
TEST(ParseSysctlValue, RejectsNumbersBeyondAnInt) {
  double value = 7;
  EXPECT_EQ(ParseSysctlValue(kFile, "4444444444444\n", &value).message(),
            "/proc/sys/net/ipv4/tcp_retries2: \"4444444444444\" is out of "
            "the range of an int");
  EXPECT_FALSE(ParseSysctlValue(kFile, "-2147483649", &value).ok());
  EXPECT_EQ(value, 7);
}

// Found by tests/fuzz/sysctl_fuzz: a line break inside the text made the
// error two log lines.
TEST(ParseSysctlValue, KeepsTheMessageOnOneLine) {
  double value = 0;
  EXPECT_EQ(ParseSysctlValue(kFile, "1\n2\n", &value).message(),
            "/proc/sys/net/ipv4/tcp_retries2: \"1\\n2\" is not a whole number");
}

}  // namespace
}  // namespace halfopen
