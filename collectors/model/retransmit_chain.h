#pragma once

#include "model/evidence.h"
#include "model/socket_record.h"

namespace halfopen {

// What a connection's own tcp_info says about its retransmission timeouts:
// the chain under way, and the path's record before it. See
// docs/suspicion-model.md, "retransmit_stall", for how they are weighed.

/// The RTO the connection's current chain started from, in seconds:
/// tcpi_rto without the chain's doublings, and never below the kernel's
/// 200 ms minimum. tcpi_rto itself when no chain is under way.
double BaseRtoSeconds(const SocketRecord& socket);

/// Seconds since the first retransmission of the chain under way (when the
/// kernel's RTO recovery started), rebuilt from the RTO doubling from
/// BaseRtoSeconds; 0 without a chain.
double ChainSeconds(const SocketRecord& socket);

/// The retransmissions of the chain under way that failed: no ACK of any
/// kind came back after them. Retransmission r went out
/// tcpi_last_data_sent ago, each earlier one an RTO before the next; one
/// counts when tcpi_last_ack_recv covers it, and once its answer is
/// overdue: for all but the last the next timeout says so, the last must
/// have waited BaseRtoSeconds plus the 200 ms a peer may delay its ACK. 0
/// without a chain or a field it needs.
/// Along a stall with no ACK it only grows.
unsigned UnansweredRetransmits(const SocketRecord& socket);

/// The connection's data before the chain under way: total_retrans and
/// data_segs_out less the chain's retransmissions and the tail-loss probe
/// that may have preceded them, so that a stall does not count as the
/// path's loss. Empty when the kernel did not send those fields.
DataRecord PastData(const SocketRecord& socket);

/// The RTO chains the connection recovered from before the one under way,
/// from tcpi_total_rto and tcpi_total_rto_recoveries (tcp_info of 248 bytes
/// or more, Linux 6.7+; empty otherwise): each episode is a run that ended
/// answered, its timeouts after the first are runs continued. With
/// tcpi_total_rto_time, an episode that lasted t seconds counts at least
/// log2(1 + t / BaseRtoSeconds) timeouts: long recoveries mark a path that
/// stalls even when few timeouts fired.
RunRecord PastStalls(const SocketRecord& socket);

}  // namespace halfopen
