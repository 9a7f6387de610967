#include "decode/snake_case.h"

#include <gtest/gtest.h>

namespace halfopen {
namespace {

TEST(SnakeCase, SplitsWordsAndAcronymsAsTheMetricContractNamesThem) {
  EXPECT_EQ(SnakeCase("ListenOverflows"), "listen_overflows");
  EXPECT_EQ(SnakeCase("TCPReqQFullDrop"), "tcp_req_q_full_drop");
  EXPECT_EQ(SnakeCase("TCPReqQFullDoCookies"), "tcp_req_q_full_do_cookies");
  EXPECT_EQ(SnakeCase("SyncookiesSent"), "syncookies_sent");
  EXPECT_EQ(SnakeCase("TCPAbortOnTimeout"), "tcp_abort_on_timeout");
  EXPECT_EQ(SnakeCase("InErrs"), "in_errs");
  EXPECT_EQ(SnakeCase("CurrEstab"), "curr_estab");
  EXPECT_EQ(SnakeCase("TW"), "tw");
  EXPECT_EQ(SnakeCase("InType3"), "in_type3");
  EXPECT_EQ(SnakeCase("Type3Out"), "type3_out");
}

}  // namespace
}  // namespace halfopen
