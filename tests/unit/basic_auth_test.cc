#include "web/basic_auth.h"

#include <gtest/gtest.h>

namespace halfopen {
namespace {

// bcrypt (cost 4, to keep the test fast) of "s3cret".
constexpr char kHash[] =
    "$2b$04$BxPkHJBkFCFFO8z6ckQOj.LsPvWuVTt8qH7zCXx8kTbk1KLmS35dK";

std::string Header(const std::string& credentials) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  for (std::size_t i = 0; i < credentials.size(); i += 3) {
    unsigned bits = static_cast<unsigned char>(credentials[i]) << 16;
    if (i + 1 < credentials.size())
      bits |= static_cast<unsigned char>(credentials[i + 1]) << 8;
    if (i + 2 < credentials.size())
      bits |= static_cast<unsigned char>(credentials[i + 2]);
    out += kAlphabet[(bits >> 18) & 63];
    out += kAlphabet[(bits >> 12) & 63];
    out += i + 1 < credentials.size() ? kAlphabet[(bits >> 6) & 63] : '=';
    out += i + 2 < credentials.size() ? kAlphabet[bits & 63] : '=';
  }
  return out;
}

TEST(Base64, DecodesPaddedTextAndRejectsTheRest) {
  std::string out;
  ASSERT_TRUE(DecodeBase64("YWxpY2U6czNjcmV0", &out));
  EXPECT_EQ(out, "alice:s3cret");
  ASSERT_TRUE(DecodeBase64("YQ==", &out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(DecodeBase64("YQ=", &out));
  EXPECT_FALSE(DecodeBase64("Y=Q=", &out));
  EXPECT_FALSE(DecodeBase64("!!!!", &out));
}

TEST(BasicAuth, AllowsTheRightPasswordOnly) {
  BasicAuth auth(std::map<std::string, std::string>{{"alice", kHash}});
  EXPECT_TRUE(auth.Allows(Header("alice:s3cret")));
  EXPECT_FALSE(auth.Allows(Header("alice:wrong")));
  EXPECT_FALSE(auth.Allows(Header("bob:s3cret")));
  EXPECT_FALSE(auth.Allows(Header("alice")));
  EXPECT_FALSE(auth.Allows("Bearer abc"));
  EXPECT_FALSE(auth.Allows("Basic not-base64"));
}

TEST(BasicAuth, RemembersAVerifiedPasswordButNotAWrongOne) {
  BasicAuth auth(std::map<std::string, std::string>{{"alice", kHash}});
  ASSERT_TRUE(auth.Allows(Header("alice:s3cret")));
  // Served from the cache now, and the cache does not admit a neighbour.
  EXPECT_TRUE(auth.Allows(Header("alice:s3cret")));
  EXPECT_FALSE(auth.Allows(Header("alice:s3cret!")));
  EXPECT_TRUE(auth.Allows(Header("alice:s3cret")));
}

TEST(BasicAuth, PasswordsMayContainColons) {
  BasicAuth auth(std::map<std::string, std::string>{{"alice", kHash}});
  EXPECT_FALSE(auth.Allows(Header("alice:s3:cret")));
}

}  // namespace
}  // namespace halfopen
