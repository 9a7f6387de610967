#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace halfopen {

/// Unix socket types as the kernel numbers them (SOCK_STREAM, SOCK_DGRAM,
/// SOCK_SEQPACKET); only the first and last listen.
enum UnixSocketType : std::uint8_t {
  kUnixStream = 1,
  kUnixDatagram = 2,
  kUnixSeqpacket = 5,
};

/// One socket of a unix_diag dump, as the decoder hands it on: fixed
/// fields, and the bound name as a view into the receive buffer.
struct UnixSocketRecord {
  std::uint8_t type = 0;   ///< UnixSocketType, or an unknown value.
  std::uint8_t state = 0;  ///< TCP_LISTEN (10) for a listener.
  /// The socket's inode (as /proc/<pid>/fd/* links name it).
  std::uint32_t inode = 0;
  /// UNIX_DIAG_RQLEN was sent: for a listener, the two fields below.
  bool has_queue = false;
  /// Connections waiting for accept().
  std::uint32_t queue_length = 0;
  /// The listen() backlog, capped by net.core.somaxconn. Full when the
  /// length is greater.
  std::uint32_t queue_limit = 0;
  /// sun_path as bound (UNIX_DIAG_NAME), empty when unnamed: a path ends at
  /// its first NUL; an abstract name starts with NUL. Valid only during the
  /// visitor's call.
  std::string_view name;
};

/// Consumes Unix sockets as the decoder produces them, on the dump's thread.
class UnixSocketVisitor {
 public:
  virtual ~UnixSocketVisitor() = default;
  virtual void OnUnixSocket(const UnixSocketRecord& socket) = 0;
};

/// `name` as exported in the `path` label, the way `ss -x` shows it: a
/// path up to its first NUL; an abstract name as "@" and the name, its
/// NULs as "@"; control bytes and bytes that are not UTF-8 as \xNN, so
/// that the label stays valid UTF-8. An unnamed socket is "".
std::string UnixPathLabel(std::string_view name);

/// "stream", "seqpacket", "dgram", or the number of an unknown type.
std::string UnixTypeLabel(std::uint8_t type);

/// What identifies a Unix listener group: its name as bound (raw bytes, the
/// NUL of an abstract name included) and its type.
struct UnixListenerKey {
  std::string name;
  std::uint8_t type = 0;
  bool operator==(const UnixListenerKey&) const = default;
};

struct UnixListenerKeyHash {
  std::size_t operator()(const UnixListenerKey& key) const;
};

/// The Unix listeners bound to one name with one type: one socket, or
/// several while a restarted server has bound the path anew and the old
/// one still listens on its unlinked file.
struct UnixListener {
  UnixListenerKey key;
  std::string path;  ///< UnixPathLabel(key.name).
  std::uint32_t sockets = 0;
  std::vector<std::uint32_t> inodes;  ///< To find the processes.
  /// Pending connections summed over the sockets.
  std::uint32_t queue_length = 0;
  /// Backlogs summed over the sockets.
  std::uint32_t queue_limit = 0;
  /// The fullest socket's length / (limit + 1): a queue holds limit + 1
  /// before connect() fails with EAGAIN (or waits), so 1 means full.
  double max_fill = 0;

  bool QueueFull() const { return max_fill >= 1; }
};

/// The fill of one queue as UnixListener::max_fill counts it.
double UnixQueueFill(std::uint32_t length, std::uint32_t limit);

/// The Unix listeners of one dump, grouped by name and type. Sockets not in
/// LISTEN, or without their queue, are not listeners and are skipped.
/// Memory is O(listeners).
class UnixListenerTable : public UnixSocketVisitor {
 public:
  void OnUnixSocket(const UnixSocketRecord& socket) override;

  const std::vector<UnixListener>& listeners() const { return listeners_; }

 private:
  std::vector<UnixListener> listeners_;
  std::unordered_map<UnixListenerKey, std::size_t, UnixListenerKeyHash> index_;
};

}  // namespace halfopen
