#pragma once

#include <cstddef>
#include <cstdint>

namespace halfopen::wire {

// The wire layouts the inet_diag decoder reads, as the kernel's UAPI headers
// define them (include/uapi/linux/netlink.h, rtnetlink.h, inet_diag.h,
// sock_diag.h and tcp.h), written out here so that the decoder needs no
// system header. Every size, offset and constant is checked against those
// headers by tests/unit/netlink_layout_test.cc. Multi-byte fields are in host
// order except where a name says _be (network order).

/// struct nlmsghdr.
struct NetlinkHeader {
  std::uint32_t length;
  std::uint16_t type;
  std::uint16_t flags;
  std::uint32_t sequence;
  std::uint32_t port_id;
};

/// struct rtattr.
struct AttributeHeader {
  std::uint16_t length;
  std::uint16_t type;
};

/// struct inet_diag_msg, with its struct inet_diag_sockid inlined.
struct InetDiagMessage {
  std::uint8_t family;
  std::uint8_t state;
  std::uint8_t timer;
  std::uint8_t retrans;
  std::uint16_t source_port_be;
  std::uint16_t destination_port_be;
  std::uint32_t source[4];
  std::uint32_t destination[4];
  std::uint32_t interface;
  std::uint32_t cookie[2];
  std::uint32_t expires;
  std::uint32_t rqueue;
  std::uint32_t wqueue;
  std::uint32_t uid;
  std::uint32_t inode;
};

/// struct unix_diag_msg (include/uapi/linux/unix_diag.h).
struct UnixDiagMessage {
  std::uint8_t family;
  std::uint8_t type;
  std::uint8_t state;
  std::uint8_t pad;
  std::uint32_t inode;
  std::uint32_t cookie[2];
};

/// struct unix_diag_rqlen: for a listener, pending connections and backlog.
struct UnixDiagQueue {
  std::uint32_t rqueue;
  std::uint32_t wqueue;
};

inline constexpr std::uint16_t kNetlinkError = 2;       ///< NLMSG_ERROR
inline constexpr std::uint16_t kNetlinkDone = 3;        ///< NLMSG_DONE
inline constexpr std::uint16_t kTcpDiagGetSock = 18;    ///< TCPDIAG_GETSOCK
inline constexpr std::uint16_t kSockDiagByFamily = 20;  ///< SOCK_DIAG_BY_FAMILY
inline constexpr std::uint16_t kInetDiagInfo = 2;       ///< INET_DIAG_INFO
/// INET_DIAG_SKMEMINFO: u32 values indexed by SK_MEMINFO_*.
inline constexpr std::uint16_t kInetDiagSkMemInfo = 7;
/// SK_MEMINFO_DROPS: the socket's sk_drops (Linux 4.7+; before, the array
/// ends earlier and the field is absent).
inline constexpr std::size_t kSkMemInfoDrops = 8;

/// UNIX_DIAG_NAME: sun_path as bound; the abstract namespace's start with
/// NUL. Attribute types of unix_diag count from 0, unlike inet_diag's.
inline constexpr std::uint16_t kUnixDiagName = 0;
inline constexpr std::uint16_t kUnixDiagRqlen = 4;  ///< UNIX_DIAG_RQLEN

/// Where a field of struct tcp_info lies.
struct FieldAt {
  std::size_t offset;
  std::size_t size;
};

inline constexpr FieldAt kTcpiRetransmits{2, 1};
inline constexpr FieldAt kTcpiProbes{3, 1};
inline constexpr FieldAt kTcpiRto{8, 4};
inline constexpr FieldAt kTcpiLastDataSent{44, 4};
inline constexpr FieldAt kTcpiLastDataRecv{52, 4};
inline constexpr FieldAt kTcpiLastAckRecv{56, 4};
inline constexpr FieldAt kTcpiTotalRetrans{100, 4};
inline constexpr FieldAt kTcpiDataSegsOut{156, 4};
// Linux 6.7 appended these after tcpi_rcv_wnd and tcpi_rehash (6.2), making
// the struct 248 bytes; headers older than 6.7 do not know them.
inline constexpr FieldAt kTcpiTotalRto{240, 2};
inline constexpr FieldAt kTcpiTotalRtoRecoveries{242, 2};
inline constexpr FieldAt kTcpiTotalRtoTime{244, 4};

}  // namespace halfopen::wire
