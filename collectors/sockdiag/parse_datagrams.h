#pragma once

#include <string>

#include "collectors/sockdiag/inet_diag_parser.h"
#include "collectors/sources/diag_source.h"

namespace halfopen {

/// A DiagSource handler that decodes every datagram into `visitor`, adding
/// to *counts, and stops at the end of the dump. On a netlink error it
/// stops the source and leaves the kernel's answer in *error. The pointers
/// must outlive the dump.
inline DatagramHandler ParsingHandler(SocketVisitor* visitor,
                                      ParseCounts* counts, std::string* error) {
  return [=](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
    switch (ParseDiagDatagram(datagram, id.sequence, id.port_id, *visitor,
                              counts, error)) {
      case DatagramEnd::kDone:
        return DatagramVerdict::kDone;
      case DatagramEnd::kError:
        return DatagramVerdict::kFail;
      default:
        return DatagramVerdict::kContinue;
    }
  };
}

}  // namespace halfopen
