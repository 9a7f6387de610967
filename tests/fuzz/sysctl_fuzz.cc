// The text of a sysctl file (a fixture tree, or a kernel that prints
// something new), parsed and then used as each of the TCP settings: the
// snapshot's conversion to the model's settings and every give-up time the
// tcpsettings collector and the suspicion model derive from them.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "decode/sysctl_text.h"
#include "model/giveup.h"
#include "model/suspicion.h"
#include "sources/sysctls.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  if (size == 0) return 0;
  // The first byte picks which sysctl the text stands for.
  const auto which = static_cast<Sysctl>(data[0] % kSysctlCount);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  double value = 0;
  SysctlSnapshot snapshot;
  const auto i = static_cast<std::size_t>(which);
  const Status parsed = ParseSysctlValue(SysctlPath(which), text, &value);
  if (parsed.ok()) {
    snapshot.values[i] = value;
  } else {
    snapshot.errors[i] = parsed.message();
  }
  KernelSettings settings;
  snapshot.Settings(&settings);
  const double times[] = {
      RetransmitGiveUpSeconds(settings.tcp_retries2),
      KeepaliveGiveUpSeconds(settings.keepalive_time_seconds,
                             settings.keepalive_intvl_seconds,
                             settings.keepalive_probes),
      SynAckGiveUpSeconds(settings.tcp_synack_retries),
      SynGiveUpSeconds(settings.tcp_syn_retries,
                       settings.tcp_syn_linear_timeouts),
      SynRemainingSeconds(settings.tcp_syn_retries,
                          settings.tcp_syn_linear_timeouts, 1, 0.5)};
  for (const double seconds : times) {
    if (std::isnan(seconds) || seconds < 0) __builtin_trap();
  }
  // The model's time left for a socket of each kind of timer.
  SocketRecord socket;
  socket.retrans = data[0];
  socket.expires_ms = 1500;
  for (const int timer : {kTimerRetransmit, kTimerKeepalive, kTimerPersist}) {
    socket.state = kTcpEstablished;
    socket.timer = static_cast<std::uint8_t>(timer);
    if (std::isnan(GiveUpEtaSeconds(socket, settings))) __builtin_trap();
  }
  socket.state = kTcpSynSent;
  if (std::isnan(GiveUpEtaSeconds(socket, settings))) __builtin_trap();
  return 0;
}
