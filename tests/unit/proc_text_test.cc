#include "decode/proc_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "decode/cgroup_identity.h"

namespace halfopen {
namespace {

constexpr char kPodUid[] = "7c5d8fb4-6d0a-4e8d-9f1c-1a2b3c4d5e6f";
constexpr char kContainerId[] =
    "3f1c9e2a7b5d4c8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/cgroup/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

struct CgroupCase {
  const char* fixture;
  const char* pod_uid;
  const char* container_id;
};

TEST(ParseCgroupIdentity, ReadsEveryKubeletAndRuntimeLayout) {
  for (const CgroupCase& c : {
           CgroupCase{"kubepods-cgroupfs-v1", kPodUid, kContainerId},
           CgroupCase{"containerd-systemd-v2", kPodUid, kContainerId},
           CgroupCase{"containerd-guaranteed-v2", kPodUid, kContainerId},
           CgroupCase{"crio-systemd-v2", kPodUid, kContainerId},
           CgroupCase{"docker-systemd-v2", "", kContainerId},
           CgroupCase{"docker-cgroupfs-v1", "", kContainerId},
           CgroupCase{"host-service-v2", "", ""},
       }) {
    const CgroupIdentity identity = ParseCgroupIdentity(Fixture(c.fixture));
    EXPECT_EQ(identity.pod_uid, c.pod_uid) << c.fixture;
    EXPECT_EQ(identity.container_id, c.container_id) << c.fixture;
  }
}

TEST(ParseCgroupIdentity, IgnoresWhatOnlyLooksLikeAnId) {
  EXPECT_EQ(
      ParseCgroupIdentity("0::/kubepods.slice/kubepods-podxyz.slice\n").pod_uid,
      "");
  EXPECT_EQ(ParseCgroupIdentity("0::/docker/abc\n").container_id, "");
  EXPECT_EQ(ParseCgroupIdentity("garbage").container_id, "");
  EXPECT_EQ(ParseCgroupIdentity("").pod_uid, "");
}

TEST(ParseTcpSockstat, ReadsInuseAndTimeWait) {
  TcpSockstat tcp;
  ASSERT_TRUE(ParseTcpSockstat(
      "sockets: used 291\nTCP: inuse 7 orphan 0 tw 3 alloc 9 mem 1\n"
      "UDP: inuse 2 mem 0\n",
      &tcp));
  EXPECT_EQ(tcp.inuse, 7u);
  EXPECT_EQ(tcp.tw, 3u);
}

TEST(ParseTcpSockstat, RejectsTextWithoutAUsableTcpLine) {
  TcpSockstat tcp;
  EXPECT_FALSE(ParseTcpSockstat("sockets: used 1\n", &tcp));
  EXPECT_FALSE(ParseTcpSockstat("TCP: inuse x orphan 0 tw 0\n", &tcp));
  EXPECT_FALSE(ParseTcpSockstat("TCP: inuse 1 orphan 0\n", &tcp));
}

TEST(ParseInodeLink, ReadsTheInodeOfTheRightKind) {
  std::uint64_t inode = 0;
  ASSERT_TRUE(ParseInodeLink("net:[4026531840]", "net", &inode));
  EXPECT_EQ(inode, 4026531840u);
  ASSERT_TRUE(ParseInodeLink("socket:[123]", "socket", &inode));
  EXPECT_EQ(inode, 123u);
  EXPECT_FALSE(ParseInodeLink("socket:[123]", "net", &inode));
  EXPECT_FALSE(ParseInodeLink("/dev/null", "socket", &inode));
  EXPECT_FALSE(ParseInodeLink("socket:[]", "socket", &inode));
  EXPECT_FALSE(ParseInodeLink("socket:[12", "socket", &inode));
  EXPECT_FALSE(ParseInodeLink("pipe:[5]", "socket", &inode));
}

TEST(IsPidName, AcceptsDigitsOnly) {
  EXPECT_TRUE(IsPidName("1"));
  EXPECT_TRUE(IsPidName("4194304"));
  EXPECT_FALSE(IsPidName(""));
  EXPECT_FALSE(IsPidName("self"));
  EXPECT_FALSE(IsPidName("thread-self"));
  EXPECT_FALSE(IsPidName("12a"));
  EXPECT_FALSE(IsPidName("-1"));
}

}  // namespace
}  // namespace halfopen
