#pragma once

namespace halfopen {

/// The namespace's TCP sysctls that decide when a dead peer is noticed. The
/// defaults are the kernel's, used where a sysctl is absent (e.g.
/// tcp_syn_linear_timeouts before Linux 6.5 is 0).
struct KernelSettings {
  int tcp_retries2 = 15;
  double keepalive_time_seconds = 7200;
  double keepalive_intvl_seconds = 75;
  int keepalive_probes = 9;
  int tcp_syn_retries = 6;
  int tcp_syn_linear_timeouts = 0;
  int tcp_synack_retries = 5;
};

}  // namespace halfopen
