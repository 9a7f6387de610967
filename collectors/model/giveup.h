#pragma once

namespace halfopen {

/// How long the kernel keeps retransmitting data to a silent peer before it
/// aborts the connection, for a given `net.ipv4.tcp_retries2`. The kernel's
/// time-based model (tcp_model_timeout): RTO starting at 200 ms, doubling,
/// capped at 120 s, summed over retries2 + 1 intervals. 15 gives 924.6 s.
/// TCP_USER_TIMEOUT on a socket overrides this; it is invisible from outside.
double RetransmitGiveUpSeconds(int tcp_retries2);

/// How long an idle connection with SO_KEEPALIVE lives after its peer
/// vanishes: keepalive_time + keepalive_intvl * keepalive_probes, all from the
/// sysctls (7200 + 75 * 9 = 7875 s by default). Per-socket TCP_KEEPIDLE,
/// TCP_KEEPINTVL and TCP_KEEPCNT override them and are invisible.
double KeepaliveGiveUpSeconds(double keepalive_time_seconds,
                              double keepalive_intvl_seconds,
                              int keepalive_probes);

/// How long a server's SYN_RECV request lives while its SYN-ACKs go
/// unanswered: intervals of 1 s doubling (capped at 120 s), one per retry plus
/// the last wait. `tcp_synack_retries` 5 gives 63 s.
double SynAckGiveUpSeconds(int tcp_synack_retries);

/// How long connect() waits for a SYN-ACK before failing with ETIMEDOUT. From
/// Linux 6.5 the first `tcp_syn_linear_timeouts` retransmits keep a 1 s
/// interval before doubling starts; pass 0 for older kernels. Defaults (6, 4)
/// give 131 s; (6, 0) gives 127 s.
double SynGiveUpSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts);

/// Seconds left before connect() fails for a SYN_SENT socket that has
/// retransmitted its SYN `retransmits` times and whose timer fires in
/// `expires_seconds`: that wait plus every later interval of the schedule
/// that SynGiveUpSeconds() sums.
double SynRemainingSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts,
                           int retransmits, double expires_seconds);

}  // namespace halfopen
