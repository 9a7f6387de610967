#include "model/socket_stats.h"

namespace halfopen {
namespace {

std::size_t StateIndex(std::uint8_t state) {
  if (state == kTcpNewSynRecv) return kTcpSynRecv;
  return state >= kTcpEstablished && state <= kTcpClosing ? state : 0;
}

std::size_t TimerIndex(std::uint8_t timer) {
  switch (timer) {
    case kTimerNone:
      return 0;
    case kTimerRetransmit:
      return 1;
    case kTimerKeepalive:
      return 2;
    case kTimerTimeWait:
      return 3;
    case kTimerPersist:
      return 4;
    default:
      return 5;
  }
}

std::size_t CountBucket(unsigned count) {
  if (count <= 3) return count - 1;
  return count <= 7 ? 3 : 4;
}

}  // namespace

void SocketStats::Add(const SocketRecord& socket) {
  ++scanned;
  ++states[StateIndex(socket.state)];
  ++timers[TimerIndex(socket.timer)];
  if (socket.state == kTcpListen) return;
  if (socket.info.Has(TcpInfo::kRetransmits) && socket.info.retransmits > 0) {
    ++retransmits[CountBucket(socket.info.retransmits)];
  }
  if (socket.info.Has(TcpInfo::kProbes) && socket.info.probes > 0) {
    ++probes[CountBucket(socket.info.probes)];
  }
}

const char* StateLabel(std::size_t i) {
  static const char* const kNames[] = {"other",     "established", "syn_sent",
                                       "syn_recv",  "fin_wait1",   "fin_wait2",
                                       "time_wait", "close",       "close_wait",
                                       "last_ack",  "listen",      "closing"};
  return i < 12 ? kNames[i] : "other";
}

const char* TimerLabel(std::size_t i) {
  static const char* const kNames[] = {"none",      "retransmit", "keepalive",
                                       "time_wait", "persist",    "other"};
  return i < 6 ? kNames[i] : "other";
}

const char* CountBucketLabel(std::size_t i) {
  static const char* const kNames[] = {"1", "2", "3", "4-7", "8+"};
  return i < 5 ? kNames[i] : "8+";
}

}  // namespace halfopen
